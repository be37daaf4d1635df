"""Seconds per training epoch of both networks, data generation included.

Protocol (the issue's): max_len 100, batch 32, 40 batches per epoch (1,280
samples), pairs / samples drawn anew every epoch with sitrex.make_pairs /
make_usefulness_samples from Penn Action (../shared/data), one model.fit epoch.
The first epoch (JIT compilation) is reported separately; the figure is the
median of the next epochs. Both the paper's configuration and sitrex's default.

    python benchmarks/train.py [--epochs 6] [--backend jax]

The paper's TensorFlow code: about 0.99 s (usefulness) and 1.79 s (Siamese)
per epoch on these machines.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--backend", default=None, help="KERAS_BACKEND (default: sitrex's, jax)")
    args = parser.parse_args()
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend

    from accuracy import penn_for_models

    from sitrex._keras import import_keras, set_random_seed
    from sitrex.models import DEFAULT_CONFIG, PAPER_CONFIG, build_siamese_model, \
        build_usefulness_model
    from sitrex.pairs import make_pairs, make_usefulness_samples

    keras = import_keras()
    ds = penn_for_models()
    seqs, labels, ea = ds.sequences, ds.labels, ds.exercise_angles
    n_angles, max_len, batch, n_batches = ds.n_angles, 100, 32, 40
    n = batch * n_batches
    print(f"keras {keras.__version__}, backend {keras.backend.backend()}, {os.cpu_count()} CPUs; "
          f"Penn Action {len(seqs)} clips, {n_angles} angles; max_len {max_len}, batch {batch}, "
          f"{n_batches} batches/epoch")

    for config_name, config in (("paper", PAPER_CONFIG), ("default", DEFAULT_CONFIG)):
        for kind in ("usefulness", "similarity"):
            set_random_seed(0)
            if kind == "usefulness":
                model = build_usefulness_model(n_angles, max_len, **config)
            else:
                model = build_siamese_model(n_angles, max_len, **config)
            model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy",
                          metrics=["binary_accuracy"])
            times, gen_times = [], []
            for epoch in range(args.epochs):
                t0 = time.perf_counter()
                if kind == "usefulness":
                    x, y = make_usefulness_samples(seqs, labels, ea, max_len, epoch, n_samples=n)
                    mask = (np.abs(x).sum(-1) > 0).astype("float32")  # crops are padded with 0
                    inputs = [x, mask]
                else:
                    X, y = make_pairs(seqs, labels, ea, n, max_len, epoch)
                    masks = (np.abs(X).sum(-1) > 0).astype("float32")
                    inputs = [X[:, 0], masks[:, 0], X[:, 1], masks[:, 1]]
                t1 = time.perf_counter()
                model.fit(inputs, y, batch_size=batch, epochs=1, verbose=0, shuffle=True)
                times.append(time.perf_counter() - t0)
                gen_times.append(t1 - t0)
            steady = np.median(times[1:])
            print(f"{config_name:8s} {kind:11s} first epoch {times[0]:6.2f} s; then median "
                  f"{steady:.3f} s/epoch (data generation {np.median(gen_times[1:]):.3f} s), "
                  f"min {min(times[1:]):.3f}, max {max(times[1:]):.3f}")


if __name__ == "__main__":
    main()
