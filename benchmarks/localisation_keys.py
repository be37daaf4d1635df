"""Which angle should a report name? Top-1 of other ranking keys, from a benchmark dump.

``report.worst_angles(1)`` names the useful angle with the lowest mean
similarity. This script asks whether another key would name an angle the
fault moves more often, on the reports ``benchmarks/feedback_quality.py
--dump`` recorded (no comparator is run again), and prints each key's top-1
beside two chance levels: that of a useful angle drawn at random, and that of
a useful *joint* angle drawn at random (a key that prefers joint angles picks
from that likelier set without localising anything).

Keys (lower is named first): the shipped similarity, each part alone, the
coach's range times one minus the similarity, the change of range in
degrees, the usefulness alone (the angle the coach moves most, whatever the
athlete does), joint angles before the plane-projected ones, and that order
reversed among the joints.

    python benchmarks/feedback_quality.py --lodo build/lodo --coaches 3 --athletes 20 \\
        --dump build/bench/reports.npz
    python benchmarks/localisation_keys.py build/bench/reports.npz --json localisation_keys.json
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile

import numpy as np

#: The angles measured between two segments in 3-D (the others are projected on a plane).
JOINT_KINDS = ("elbow", "hip", "knee", "shoulder", "wrist")


def load(path: str) -> dict:
    z = np.load(path, allow_pickle=False)
    needed = {"usefulness", "coach_range", "athlete_range", "similarity:sitrex"}
    missing = needed - set(z.files)
    if missing:
        raise SystemExit(f"{path} lacks {sorted(missing)}: write it again with "
                         "benchmarks/feedback_quality.py --dump (this version records them)")
    return {k: z[k] for k in z.files}


def keys(d: dict) -> dict[str, np.ndarray]:
    """Ranking keys, one (n_reports, n_angles) array each; the lowest is named."""
    joint = np.array([n.split()[-1] in JOINT_KINDS for n in d["angle_names"]])
    s = d["similarity:sitrex"]
    out = {"shipped similarity": s}
    for part in ("learned alone", "statistic alone"):
        if f"similarity:{part}" in d:
            out[part] = d[f"similarity:{part}"]
    out["coach range x (1 - similarity)"] = -(1 - s) * d["coach_range"]
    out["change of range, degrees"] = -np.abs(d["coach_range"] - d["athlete_range"])
    out["usefulness alone"] = -d["usefulness"]
    out["joint angles first"] = np.where(joint, s, s + 10.0)
    out["joint angles first, reversed among them"] = np.where(joint, -s, 10.0 - s)
    return out


def top1(d: dict, key: np.ndarray, dataset: str, reps: int) -> dict:
    """Per task, the share of faulty reports whose lowest useful key is a moved angle; mean over tasks."""
    joint = np.array([n.split()[-1] in JOINT_KINDS for n in d["angle_names"]])
    rows = {"top1": [], "chance": [], "chance_joint": []}
    for task in np.unique(d["task"][d["dataset"] == dataset]):
        sel = np.flatnonzero((d["dataset"] == dataset) & (d["reps"] == reps)
                             & (d["task"] == task) & d["faulty"])
        hits, chance, chance_joint = [], [], []
        for i in sel:
            usable = d["useful"][i] & np.isfinite(key[i])
            if not usable.any():
                continue
            expected = d["expected"][i]
            hits.append(expected[np.argmin(np.where(usable, key[i], np.inf))])
            chance.append(expected[usable].mean())
            if (usable & joint).any():
                chance_joint.append(expected[usable & joint].mean())
        for name, values in (("top1", hits), ("chance", chance), ("chance_joint", chance_joint)):
            if values:
                rows[name].append(float(np.mean(values)))
    return {name: float(np.mean(v)) if v else float("nan") for name, v in rows.items()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump", help="the .npz of feedback_quality.py --dump")
    parser.add_argument("--json", default="localisation_keys.json")
    args = parser.parse_args(argv)
    d = load(args.dump)
    cases = [(ds, r) for ds in ("squat_errors", "irds") if ds in set(d["dataset"].tolist())
             for r in sorted(set(d["reps"].tolist()))]
    results = {name: {f"{ds} {r} rep": top1(d, key, ds, r) for ds, r in cases}
               for name, key in keys(d).items()}
    first = next(iter(results.values()))
    print("top-1 of each ranking key (mean over tasks); chance: a useful angle / a useful joint angle")
    print(f"{'key':42s}" + "".join(f"{case:>20s}" for case in first))
    for name, row in results.items():
        print(f"{name:42s}" + "".join(f"{v['top1']:>20.2f}" for v in row.values()))
    for chance in ("chance", "chance_joint"):
        print(f"{chance:42s}" + "".join(f"{v[chance]:>20.2f}" for v in first.values()))
    folder = os.path.dirname(os.path.abspath(args.json))
    with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".tmp", delete=False) as f:
        json.dump(results, f, indent=1)
    os.replace(f.name, args.json)
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
