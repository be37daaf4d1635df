"""How much the positional table matters for the paper's published weights.

The paper's positional table was a random constant that was never saved, so
sitrex uses a fixed one (:func:`sitrex.pretrained.paper_positional_table`).
This script measures, on the reference inputs recorded from the paper's own
code (``../shared/reference/models_golden.npz``), the largest and mean
absolute change in probability between the stored tables (which reproduce the
recorded outputs) and: sitrex's fixed table, a zero table, and a second table
the reference run drew itself (seed 1). It also checks parity with the stored
tables.

Run: ``python benchmarks/pretrained_table.py [--shared ../shared]``
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np


def trim(x: np.ndarray) -> list[np.ndarray]:
    """Drop trailing all-zero padding frames of each sequence."""
    out = []
    for seq in x:
        real = np.flatnonzero(np.abs(seq).sum(axis=1) > 0)
        out.append(seq[: real[-1] + 1] if real.size else seq[:1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=os.environ.get(
        "SITREX_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))
    args = parser.parse_args()
    shared = Path(args.shared)
    from sitrex.estimators import ExerciseComparator
    from sitrex.pretrained import paper_positional_table

    with np.load(shared / "reference" / "models_golden.npz") as z:
        g = {k: z[k] for k in z.files}
    refs, lefts, rights = trim(g["usefulness_input"]), trim(g["similarity_left"]), \
        trim(g["similarity_right"])
    folder = shared / "weights" / "sitrex-paper"

    def run(tables):
        cmp = ExerciseComparator.from_pretrained("sitrex-paper", path=folder,
                                                 positional_tables=tables)
        return (cmp.predict_usefulness_proba(refs),
                cmp.predict_proba(list(zip(lefts, rights))))

    stored = {"usefulness": g["pe_usefulness"], "similarity": g["pe_similarity"]}
    use0, sim0 = run(stored)
    print(f"parity with the recorded outputs (stored tables): usefulness max |diff| "
          f"{np.abs(use0 - g['usefulness_prob']).max():.2e}, similarity "
          f"{np.abs(sim0 - g['similarity_prob']).max():.2e}")
    others = {
        "sitrex fixed table": {k: paper_positional_table(k) for k in stored},
        "zero table": {k: np.zeros_like(v) for k, v in stored.items()},
        "reference seed-1 table": {"usefulness": g["seed1_pe_usefulness"],
                                   "similarity": g["seed1_pe_similarity"]},
    }
    print(f"{'table':<24} {'usefulness max':>15} {'mean':>8} {'similarity max':>15} {'mean':>8}")
    for label, tables in others.items():
        use, sim = run(tables)
        du, ds = np.abs(use - use0), np.abs(sim - sim0)
        print(f"{label:<24} {du.max():>15.4f} {du.mean():>8.4f} {ds.max():>15.4f} "
              f"{ds.mean():>8.4f}")


if __name__ == "__main__":
    main()
