"""Does sitrex's feedback tell faulty executions from correct ones, on real data it never saw?

The real-data benchmark of the feedback. Three data sets, three capture
systems, each with labelled correct and faulty executions:

* ``squat_errors``: 1,323 squats, triangulated MediaPipe landmarks; two
  correct styles and five faults, each fault a task of its own (its clips
  against the correct ones). Groups: recording days (no subject ids).
* ``irds``: rehabilitation gestures of 3 patients, Kinect v2; per gesture,
  correct against incorrect. Groups: subjects.
* ``pushfit``: push-ups, 2-D MediaPipe landmarks of web videos, correct
  against wrong. Groups: video formats (frame rate and size), which are
  confounded with the label, so a coach is never judged against clips of
  its own format. The faults are not told apart, so there is no top-1; the
  oracle DTW uses the push-up's hand-picked angles.

Protocol (the one the hidden test sets use): the **coach** is one correct
execution cut to **one repetition**, from one group; the **athletes** are the
executions of the same exercise from the *other* groups, correct and faulty;
a pair is scored with the public call ``1 - sitrex.compare(coach,
athlete, comparator).score`` (every other option at its default), and the
ROC-AUC of faulty against correct is taken per coach. Reported: mean and
standard deviation over coaches (all tasks of a data set pooled), and per
task. The whole again with the coach given as **three correct
repetitions** (the coach's and two more of the same group). Where the fault
is known (squat faults; IRDS: the limb that moves), **top-1** is the share
of faulty athletes whose ``report.worst_angles(1)[0]`` is one of the angles
the fault moves, printed beside its chance level (those angles' share of
the report's useful angles).

Baselines on exactly the same pairs and the same cleaned angles (the
default :class:`sitrex.conditioning.Conditioning`, 30 fps): DTW distance
(:func:`sitrex.alignment.dtw_distance`) on all measured angles, on the
angles the report found useful, and on the expected (oracle) angles.

One-shot: a comparator is never evaluated on a data set it was trained on.
A comparator records its training data in ``metadata_["training_data"]``;
such rows are refused unless ``--lodo DIR`` supplies, per data set, a
comparator trained by the same recipe without it (``DIR/<dataset>.keras``).
Every row says which comparator it used.

    python benchmarks/feedback_quality.py                      # the default comparator
    python benchmarks/feedback_quality.py --comparator paper   # the paper's weights
    python benchmarks/feedback_quality.py --lodo build/lodo --json out.json

Options: ``--datasets``, ``--coaches`` (per task), ``--athletes`` (per coach),
``--seed``, ``--data`` (folder of the archives; default ``$SITREX_DATA``, else
``../shared/data`` beside this repository).
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
MODEL_FPS = 30.0


# ---------------------------------------------------------------------------- data and tasks
@dataclass
class Task:
    """One exercise of one data set: its clips, which are faulty, and the angles a fault moves."""

    dataset: str
    name: str
    clips: np.ndarray          # indices into the data set
    faulty: np.ndarray         # bool, per clip of `clips`
    expected: tuple[str, ...]  # angles the fault moves, for localisation ((): unknown)
    oracle: tuple[str, ...] = ()   # hand-picked angles of the DTW oracle (default: `expected`)


@dataclass
class Data:
    name: str
    skeletons: list
    groups: np.ndarray
    correct: np.ndarray
    tasks: list[Task] = field(default_factory=list)


def _both(*parts):
    return tuple(f"{side} {p}" for p in parts for side in ("left", "right"))


def load(name: str, folder: Path) -> Data:
    from sitrex import datasets

    if name == "squat_errors":
        ds = datasets.load_squat_errors(folder)
        correct = np.asarray(ds.extra["correct"], bool)
        data = Data(name, list(ds.skeletons), np.asarray(ds.groups).astype(str), correct)
        form = np.asarray(ds.extra["form"]).astype(str)
        for fault, angles in datasets.SQUAT_FAULT_ANGLES.items():
            clips = np.flatnonzero(correct | (form == fault))
            data.tasks.append(Task(name, fault, clips, ~correct[clips], tuple(angles)))
    elif name == "irds":
        ds = datasets.load_irds(folder)
        correct = np.asarray(ds.extra["correct"], bool)
        data = Data(name, list(ds.skeletons), np.asarray(ds.groups).astype(str), correct)
        gesture = np.asarray(ds.labels).astype(str)
        for g in sorted(set(gesture)):
            clips = np.flatnonzero(gesture == g)
            data.tasks.append(Task(name, g, clips, ~correct[clips],
                                   tuple(datasets.IRDS_GESTURE_ANGLES[g])))
    elif name == "pushfit":
        ds = datasets.load_pushfit(folder)
        fps, w, h = (np.asarray(ds.extra[k]) for k in ("fps", "width", "height"))
        known = np.isfinite(fps)
        correct = np.asarray(ds.extra["form"]).astype(str) == "correct"
        groups = np.array([f"{f:.2f} fps {a}x{b}" for f, a, b in zip(fps, w, h)])
        keep = np.flatnonzero(known)
        data = Data(name, [ds.skeletons[i] for i in keep], groups[keep], correct[keep])
        data.tasks.append(Task(name, "push-up", np.arange(len(keep)), ~data.correct, (),
                               tuple(datasets.PUSHFIT_EXERCISE_ANGLES["push-up"])))
    else:
        raise SystemExit(f"unknown data set {name!r}")
    return data


# ---------------------------------------------------------------------------- coaches
def _moving_columns(angles: np.ndarray, k: int = 6) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        spread = np.nanpercentile(angles, 95, axis=0) - np.nanpercentile(angles, 5, axis=0)
    return np.argsort(-np.nan_to_num(spread, nan=-1.0))[:k]


def one_repetition(skeleton):
    """The clip cut to its largest repetition (on its six most moving angles), or whole."""
    from sitrex.conditioning import Conditioning
    from sitrex.exceptions import InputError
    from sitrex.repetitions import segment_repetitions

    angles = Conditioning().skeleton(skeleton).angles()
    try:
        reps = segment_repetitions(angles, fps=skeleton.fps, columns=_moving_columns(angles))
    except InputError:
        reps = []
    if not reps:
        return skeleton
    rep = max(reps, key=lambda r: r.n_frames)
    return skeleton[rep.start:rep.end]


def coach_input(data: Data, clip: int, n_reps: int, rng) -> object:
    """One repetition of `clip`, or it followed by repetitions of other correct clips of its group."""
    from sitrex.skeleton import concatenate

    parts = [one_repetition(data.skeletons[clip])]
    if n_reps > 1:
        mates = np.flatnonzero(data.correct & (data.groups == data.groups[clip]))
        mates = rng.permutation(mates[mates != clip])[:n_reps - 1]
        parts += [one_repetition(data.skeletons[m]) for m in mates]
        if len(parts) < n_reps:
            return None
        fps = parts[0].fps
        parts = [p.replace(fps=fps) for p in parts]
    return parts[0] if len(parts) == 1 else concatenate(parts)


def pairs(task: Task, data: Data, n_coaches: int, n_athletes: int, rng):
    """(coach clip, athlete clips) per coach: athletes of other groups, faulty and correct."""
    ok_coaches = [c for c in task.clips[~task.faulty]
                  if len(set(task.faulty[data.groups[task.clips] != data.groups[c]])) == 2]
    for coach in rng.permutation(ok_coaches)[:n_coaches]:
        other = data.groups[task.clips] != data.groups[coach]
        bad = rng.permutation(task.clips[other & task.faulty])[:max(1, n_athletes // 2)]
        good = rng.permutation(task.clips[other & ~task.faulty])[:max(1, n_athletes - len(bad))]
        yield int(coach), np.concatenate([bad, good])


# ---------------------------------------------------------------------------- scoring
def cleaned_angles(skeleton) -> np.ndarray:
    from sitrex.conditioning import Conditioning
    from sitrex.sequences import resample

    angles = Conditioning().skeleton(skeleton).angles()
    return resample(angles, skeleton.fps, MODEL_FPS)[0]


def dtw_score(coach: np.ndarray, athlete: np.ndarray, columns) -> float:
    from sitrex.alignment import dtw_distance

    cols = [c for c in columns
            if np.isfinite(coach[:, c]).mean() > 0.5 and np.isfinite(athlete[:, c]).mean() > 0.5]
    if not cols:
        return float("nan")
    return dtw_distance(coach[:, cols], athlete[:, cols])


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    scores = np.nan_to_num(np.asarray(scores, float), nan=np.nanmedian(scores))
    return float(roc_auc_score(labels, scores))


METHODS = ("sitrex", "DTW all angles", "DTW useful angles", "DTW oracle angles")


def run_task(task: Task, data: Data, comparator, args, rng, n_reps: int) -> dict:
    import sitrex

    names = list(sitrex.ANGLE_NAMES)
    expected = [names.index(a) for a in task.expected]
    oracle = [names.index(a) for a in (task.oracle or task.expected)]
    per_coach = {m: [] for m in METHODS}
    hits, chances = [], []
    for coach, athletes in pairs(task, data, args.coaches, args.athletes, rng):
        coach_skel = coach_input(data, coach, n_reps, rng)
        if coach_skel is None:
            continue
        coach_angles = cleaned_angles(coach_skel)
        scores = {m: [] for m in METHODS}
        labels = []
        for athlete in athletes:
            skel = data.skeletons[athlete]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    report = sitrex.compare(coach_skel, skel, comparator)
                except sitrex.InputError as exc:
                    print(f"  skipped {task.name} coach {coach} athlete {athlete}: {exc}")
                    continue
            faulty = bool(~data.correct[athlete])
            labels.append(faulty)
            scores["sitrex"].append(1.0 - report.score)
            ath = cleaned_angles(skel)
            measured = np.flatnonzero(np.isfinite(coach_angles).any(0) & np.isfinite(ath).any(0))
            useful = np.flatnonzero(report.useful)
            scores["DTW all angles"].append(dtw_score(coach_angles, ath, measured))
            scores["DTW useful angles"].append(dtw_score(coach_angles, ath,
                                                         useful if len(useful) else measured))
            scores["DTW oracle angles"].append(dtw_score(coach_angles, ath, oracle or measured))
            if faulty and expected and report.useful.any():
                worst = report.worst_angles(1)[0]
                hits.append(worst in task.expected)
                chances.append(np.isin(useful, expected).mean())
        labels = np.asarray(labels)
        if len(set(labels.tolist())) < 2:
            continue
        for m in METHODS:
            per_coach[m].append(auc(labels, scores[m]))
    return {"task": task.name, "auc": per_coach,
            "top1": float(np.mean(hits)) if hits else None,
            "chance": float(np.mean(chances)) if chances else None,
            "n_coaches": len(per_coach["sitrex"])}


# ---------------------------------------------------------------------------- comparators
def comparator_for(dataset: str, args):
    """The comparator to evaluate on `dataset`, and a line saying which it is."""
    from sitrex import ExerciseComparator

    if args.lodo:
        path = Path(args.lodo) / f"{dataset}.keras"
        cmp = ExerciseComparator.load(path)
        label = f"{path} (trained without {dataset})"
    elif args.comparator == "paper":
        cmp = ExerciseComparator.from_pretrained("sitrex-paper", path=args.weights_path)
        label = "sitrex-paper (the paper's weights)"
    elif args.comparator == "default":
        cmp = ExerciseComparator.from_pretrained()
        label = f"default ({cmp.metadata_.get('weights')})"
    else:
        cmp = ExerciseComparator.load(args.comparator)
        label = args.comparator
    trained = [str(d) for d in (getattr(cmp, "metadata_", None) or {}).get("training_data", [])]
    if dataset in trained:
        raise SystemExit(f"{label} was trained on {dataset}: evaluating it there is not one-shot. "
                         "Give --lodo DIR with a comparator trained without it")
    return cmp, label


def summarize(rows: list[dict]) -> dict:
    out = {}
    for m in METHODS:
        values = [v for r in rows for v in r["auc"][m]]
        out[m] = (float(np.mean(values)), float(np.std(values))) if values else (np.nan, np.nan)
    hits = [(r["top1"], r["chance"]) for r in rows if r["top1"] is not None]
    out["top1"] = (float(np.mean([h for h, _ in hits])), float(np.mean([c for _, c in hits]))) \
        if hits else None
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["squat_errors", "irds", "pushfit"])
    parser.add_argument("--comparator", default="default",
                        help="'default', 'paper' or a .keras file")
    parser.add_argument("--lodo", help="folder of <dataset>.keras comparators trained without it")
    parser.add_argument("--weights-path", default=str(REPO.parent / "shared" / "weights" /
                                                      "sitrex-paper"))
    parser.add_argument("--coaches", type=int, default=6, help="coaches per task")
    parser.add_argument("--athletes", type=int, default=40, help="athletes per coach")
    parser.add_argument("--reps", type=int, nargs="+", default=[1, 3],
                        help="coach repetitions (1: one repetition; 3: three)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default=os.environ.get("SITREX_DATA")
                        or str(REPO.parent / "shared" / "data"))
    parser.add_argument("--json", default="feedback_quality.json")
    args = parser.parse_args()

    started = time.perf_counter()
    results = {"protocol": "one correct repetition (or three) of one group as coach; athletes of "
                           "the other groups; score 1 - sitrex.compare(...).score",
               "options": vars(args), "datasets": {}}
    table = []
    for name in args.datasets:
        data = load(name, Path(args.data))
        comparator, label = comparator_for(name, args)
        print(f"\n{name}: {len(data.skeletons)} clips, {len(data.tasks)} task(s); comparator: "
              f"{label}", flush=True)
        results["datasets"][name] = {"comparator": label}
        for n_reps in args.reps:
            t0 = time.perf_counter()
            rng = np.random.default_rng(args.seed)
            rows = [run_task(task, data, comparator, args, rng, n_reps) for task in data.tasks]
            rows = [r for r in rows if r["n_coaches"]]
            summary = summarize(rows)
            results["datasets"][name][f"coach_{n_reps}_rep"] = {"tasks": rows,
                                                                "summary": summary}
            for r in rows:
                print(f"  [{n_reps} rep] {r['task']:<28} " + "  ".join(
                    f"{m.split()[0] if m == 'sitrex' else m[4:8]} "
                    f"{np.mean(r['auc'][m]):.2f}" for m in METHODS)
                    + ("" if r["top1"] is None else
                       f"  top-1 {r['top1']:.2f} (chance {r['chance']:.2f})"), flush=True)
            table.append((name, n_reps, summary, label, time.perf_counter() - t0))
    results["seconds"] = time.perf_counter() - started
    print(f"\nROC-AUC faulty vs correct, mean +- sd over coaches ({results['seconds']:.0f} s):")
    header = f"{'data set':<13}{'coach':<7}" + "".join(f"{m:<21}" for m in METHODS) + "top-1 (chance)"
    print(header)
    for name, n_reps, s, label, _ in table:
        top = "-" if s["top1"] is None else f"{s['top1'][0]:.2f} ({s['top1'][1]:.2f})"
        print(f"{name:<13}{n_reps} rep  " + "".join(
            f"{s[m][0]:.3f} +- {s[m][1]:.3f}      " for m in METHODS) + top)
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1, default=float)
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
