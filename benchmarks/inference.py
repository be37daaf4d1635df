"""Inference latency of ExerciseComparator.predict_proba: 1 pair and 64 pairs.

A comparator with sitrex's default architecture (max_len 100), and one with
the paper's architecture (max_len 300, as its published similarity model), each
trained one epoch on Penn Action pairs (weights do not change the latency). Timed: the
whole public call (validation, padding, network), median of 100 calls after
warm-up. The paper's code: about 16-37 ms for 1 pair, 134-171 ms for 64.

    python benchmarks/inference.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    from accuracy import penn_for_models

    from sitrex._keras import import_keras
    from sitrex.estimators import ExerciseComparator
    from sitrex.pairs import make_pairs

    keras = import_keras()
    ds = penn_for_models()
    X, y = make_pairs(ds.sequences, ds.labels, ds.exercise_angles, 256, 100, 0, pad=False)
    est = ExerciseComparator(max_len=100, epochs=1, random_state=0).fit(X, y)
    paper = ExerciseComparator(max_len=300, epochs=1, random_state=0, key_dim=64,
                               angle_encoding="degrees", positional="fixed", mask_padding=False,
                               patch_size=1).fit(X, y)
    print(f"keras {keras.__version__}, backend {keras.backend.backend()}")
    for config, model in (("default architecture, max_len 100", est),
                          ("paper architecture, max_len 300", paper)):
        for n in (1, 64):
            batch = X[:n]
            for _ in range(5):
                model.predict_proba(batch)
            times = []
            for _ in range(100):
                t = time.perf_counter()
                model.predict_proba(batch)
                times.append(time.perf_counter() - t)
            ms = 1000 * np.array(times)
            print(f"{config}: {n:3d} pair(s): median {np.median(ms):.2f} ms, "
                  f"p90 {np.percentile(ms, 90):.2f} ms")
    pair = X[0]
    est.compare(*pair)
    t = time.perf_counter()
    for _ in range(50):
        est.compare(*pair)
    print(f"compare (similarity + usefulness, one pair): "
          f"{1000 * (time.perf_counter() - t) / 50:.2f} ms")


if __name__ == "__main__":
    main()
