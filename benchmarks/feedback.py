"""Seconds to compare a 30 s athlete clip with a coach clip, from landmarks.

Data: synthetic squats (sitrex.datasets.make_exercise): a coach clip of 3
repetitions and an athlete clip of 900 frames (30 s at 30 fps), as Skeletons,
so pose estimation is excluded. A comparator is trained for a few epochs in
the script (its weights do not change the timings), once with sitrex's
default architecture (max_len 100) and once with the paper's
(sitrex.models.PAPER_CONFIG, max_len 300).

Timed, median of `--repeat` runs after one warm-up run (JAX compiles each new
input shape once; the first, cold call is printed too):

* ``compare``: sitrex.feedback.compare(coach, athlete, comparator), the whole
  public call: angles, usefulness, one window per frame (the coach encoded
  once, windows in batches), summary-ready report, repetitions;
* ``compare, stride=2``: one window in two, the others holding the last score;
* ``naive batched``: the same 900 windows as (coach, window) pairs through
  ``comparator.predict_proba``, which encodes the coach again for every
  window (batched by predict_proba);
* ``naive per window``: one ``predict_proba`` call per window, as in the
  paper's notebook; timed on the first `--per-window` windows and scaled to 900.

The script also checks that compare's similarity equals the naive one.

``--comparator FILE`` (a saved comparator, or ``default`` for the packaged
default, ``sitrex-default``) times that comparator's ``compare`` on the same
clips, whole call, whatever its scoring (windows or repetitions); with
``--only-given`` the two trained comparators are skipped.

    python benchmarks/feedback.py [--epochs 2] [--repeat 3] [--per-window 60] [--skip-paper]
    python benchmarks/feedback.py --comparator default --only-given
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

N_FRAMES, FPS = 900, 30.0


def _median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def _data():
    from sitrex.datasets import make_exercise

    train, labels = make_exercise(12, ["squat", "arm curl", "lateral raise"], random_state=0)
    coach = make_exercise(1, ["squat"], n_reps=3, tempo=2.0, random_state=1)[0][0]
    athlete = make_exercise(1, ["squat"], n_reps=14, tempo=2.4, random_state=2)[0][0]
    if athlete.n_frames < N_FRAMES:
        raise RuntimeError(f"the synthetic athlete has {athlete.n_frames} frames, < {N_FRAMES}")
    return train, labels, coach, athlete[:N_FRAMES]


def _train(config: dict, max_len: int, train, labels, epochs: int):
    import sitrex

    seqs = [s.angles() for s in train]
    useful = {"squat": [5, 16, 3, 14, 22], "arm curl": [1, 12], "lateral raise": [2, 13, 8, 19]}
    X, y = sitrex.make_pairs(seqs, labels, useful, n_pairs=128, max_len=max_len, random_state=0,
                             pad=False)
    return sitrex.ExerciseComparator(**config, max_len=max_len, epochs=epochs,
                                     random_state=0).fit(X, y)


def _naive_inputs(comparator, coach, athlete, window: int):
    """The coach reference and the athlete windows exactly as compare() builds them.

    compare()'s own steps (``check_options``: load, prepare the coach), then
    the athlete's gaps filled as the window scoring fills them.
    """
    from sitrex.feedback.pipeline import check_options
    from sitrex.sequences import interpolate_gaps

    options = check_options(comparator)
    coach_x = options.prepare_coach(options.load(coach, "coach"))
    athlete_angles, _, _ = options.load(athlete, "athlete").at_rate(options.rate)
    ref = np.asarray(coach_x.reference, dtype=np.float32)
    filled = interpolate_gaps(athlete_angles, fill_value=0.0).astype(np.float32)
    windows = [filled[max(0, t - window + 1):t + 1] for t in range(len(filled))]
    return ref, windows


def _run(name: str, comparator, coach, athlete, repeat: int, per_window: int) -> None:
    from sitrex.feedback import compare
    from sitrex.feedback.windows import auto_batch_size

    start = time.perf_counter()
    compare(coach, athlete, comparator)
    cold = time.perf_counter() - start
    fast = _median_time(lambda: compare(coach, athlete, comparator), repeat)
    no_reps = _median_time(lambda: compare(coach, athlete, comparator, repetitions=False), repeat)
    compare(coach, athlete, comparator, stride=2)                # warm-up (other batch shapes)
    stride2 = _median_time(lambda: compare(coach, athlete, comparator, stride=2), repeat)

    plain = compare(coach, athlete, comparator, repetitions=False)    # the windows as they are
    ref, windows = _naive_inputs(comparator, coach, athlete, int(plain.window))
    pairs = [(ref, w) for w in windows]
    naive = comparator.predict_proba(pairs)                      # warm-up, and the check
    batched = _median_time(lambda: comparator.predict_proba(pairs), repeat)
    for p in pairs[:2]:
        comparator.predict_proba([p])                            # warm-up
    n = min(per_window, len(pairs))
    start = time.perf_counter()
    for p in pairs[:n]:
        comparator.predict_proba([p])
    one_by_one = (time.perf_counter() - start) / n * len(pairs)

    diff = float(np.nanmax(np.abs(plain.similarity - naive)))
    print(f"\n{name}: window {comparator.max_len} frames, {len(windows)} windows, "
          f"up to {auto_batch_size(comparator)} per embed call")
    print(f"  compare (whole call)           {fast:7.3f} s   (first, cold call {cold:.2f} s)")
    print(f"  compare, repetitions=False     {no_reps:7.3f} s")
    print(f"  compare, stride=2              {stride2:7.3f} s")
    print(f"  naive batched predict_proba    {batched:7.3f} s   speed-up {batched / fast:5.1f}x")
    print(f"  naive per window (paper code)  {one_by_one:7.3f} s   speed-up "
          f"{one_by_one / fast:5.1f}x   (timed on {n} windows, scaled to {len(pairs)})")
    print(f"  max |compare(repetitions=False) - naive| similarity: {diff:.2e}")


def _given(spec: str):
    """The comparator named on the command line: 'default' or a saved .keras file of any class."""
    import sitrex

    if spec == "default":
        return sitrex.ExerciseComparator.from_pretrained()
    from sitrex._model_archive import read_metadata

    return getattr(sitrex, read_metadata(spec)["class"]).load(spec)


def _run_given(comparator, coach, athlete, repeat: int) -> None:
    from sitrex.feedback import compare

    start = time.perf_counter()
    report = compare(coach, athlete, comparator)
    cold = time.perf_counter() - start
    fast = _median_time(lambda: compare(coach, athlete, comparator), repeat)
    name = (getattr(comparator, "metadata_", None) or {}).get("weights", type(comparator).__name__)
    print(f"\n{name} ({type(comparator).__name__}, scoring "
          f"{getattr(comparator, 'scoring', 'windows')}): {report.scored_frames} scored frames, "
          f"{int(report.useful.sum())} useful angles")
    print(f"  compare (whole call)           {fast:7.3f} s   (first, cold call {cold:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--per-window", type=int, default=60)
    parser.add_argument("--skip-paper", action="store_true")
    parser.add_argument("--comparator", help="also time this comparator: a .keras file or "
                                             "'default'")
    parser.add_argument("--only-given", action="store_true",
                        help="time only --comparator (no trained window comparators)")
    args = parser.parse_args()

    from sitrex._keras import import_keras
    from sitrex.models import PAPER_CONFIG

    keras = import_keras()
    print(f"keras {keras.__version__}, backend {keras.backend.backend()}, {os.cpu_count()} CPUs")
    train, labels, coach, athlete = _data()
    print(f"coach {coach.n_frames} frames, athlete {athlete.n_frames} frames at "
          f"{athlete.fps:g} fps")
    if args.comparator:
        _run_given(_given(args.comparator), coach, athlete, args.repeat)
    configs = [] if args.only_given else [("sitrex default architecture, max_len 100", {}, 100)]
    if not args.skip_paper and not args.only_given:
        configs.append(("paper architecture (PAPER_CONFIG), max_len 300", PAPER_CONFIG, 300))
    for name, config, max_len in configs:
        start = time.perf_counter()
        comparator = _train(config, max_len, train, labels, args.epochs)
        print(f"\n[{name}: trained {args.epochs} epochs in {time.perf_counter() - start:.0f} s]")
        _run(name, comparator, coach, athlete, args.repeat, args.per_window)


if __name__ == "__main__":
    main()
