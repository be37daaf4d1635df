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
Diagnostic: the shipped comparator's own similarity read on the oracle
angles instead of the useful ones (``sitrex on oracle angles``, the mean of
``report.similarity`` over those columns): beside ``sitrex`` it separates
what the similarity ranks from what the choice of angles adds or costs.

Ablation: for a comparator with a ``statistic_weight`` (the default
:class:`sitrex.RepetitionComparator`), the same pairs are also scored by
copies with ``set_params(combine="mean", statistic_weight=0)`` (the learned
similarity alone), ``statistic_weight=1`` (the angle-deviation statistic
alone) and, when the comparator combines otherwise, ``0.5`` (the two parts'
mean), so that each part and each way of combining them is seen against the
shipped combination and the DTW baselines.

Calibration, per data set and variant: **false alarms**, the share of
correct athletes whose ``report.score`` is below the report's threshold, and
**misses**, the share of faulty athletes at or above it; and what the
report's lines say: the share of correct and of faulty athletes told that
some useful angle differs from the coach (a range of frames below the
threshold, :meth:`~sitrex.FeedbackReport.summary`). **Usefulness**:
precision and recall of the report's useful angles (a property of the coach's
clip) against the angles that matter (squat: the union of the faults'
angles; IRDS: the moving limb; PushFit: the push-up angles), mean over
coaches.

The data sets are read through :mod:`sitrex.datasets.protocol` (groups,
coach inputs, cleaned angles), the view the default comparator's training
pairs share.

One-shot: a comparator is never evaluated on a data set it was trained on.
A comparator records its training data in ``metadata_["training_data"]``;
such rows are refused unless ``--lodo DIR`` supplies, per data set, a
comparator trained by the same recipe without it (``DIR/<dataset>.keras``).
Every row says which comparator it used.

    python benchmarks/feedback_quality.py                      # the default comparator
    python benchmarks/feedback_quality.py --comparator paper   # the paper's weights
    python benchmarks/feedback_quality.py --lodo build/lodo --json out.json

2-D input: ``--image-plane`` moves every landmark to depth 0 (the poses a 2-D
pose estimator facing the person would give; the squat and IRDS landmarks are
3-D), e.g. ``--datasets squat_errors irds --image-plane``.

Another capture system: ``--capture jitter gaps 15fps`` records every clip
(coaches and athletes) again with landmark jitter, lost landmarks and at 15
fps (:mod:`sitrex.datasets.augment`; any subset, in that order; ``100fps``
re-samples to 100 Hz, as a motion-capture system records). ``--rate-unknown``
hands the landmarks to ``sitrex.compare`` without their frame rate, e.g.
``--capture 100fps --rate-unknown``: arrays from a 100 Hz system given without
``fps=`` (sitrex assumes 30 fps).

Options: ``--datasets``, ``--coaches`` (per task), ``--athletes`` (per coach),
``--seed``, ``--no-ablation``, ``--image-plane``, ``--capture``, ``--rate-unknown``, ``--data`` (folder of the archives; default ``$SITREX_DATA``, else
``../shared/data`` beside this repository).
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from feedback_quality_tables import print_tables, summarize  # beside this script
from sitrex.angle_table import ANGLE_NAMES
from sitrex.angles import range_of_motion
from sitrex.datasets import augment
from sitrex.sides import mirror_columns

REPO = Path(__file__).resolve().parents[1]


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
    relevant: tuple[str, ...] = ()  # angles that matter for the exercise (usefulness P/R)


@dataclass
class Data:
    protocol: object           # sitrex.datasets.protocol.ProtocolData
    tasks: list[Task] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.protocol.name

    @property
    def skeletons(self) -> list:
        return self.protocol.skeletons

    @property
    def groups(self) -> np.ndarray:
        return self.protocol.groups

    @property
    def correct(self) -> np.ndarray:
        return self.protocol.correct


#: ``--capture`` kinds: each clip as another capture system would record it.
CAPTURE = {
    "jitter": lambda s, rng: augment.jitter(s, 0.03, random_state=rng),
    "gaps": lambda s, rng: augment.drop_landmarks(s, 0.05, random_state=rng),
    "15fps": lambda s, rng: augment.retime(s, 15.0),
    "100fps": lambda s, rng: augment.retime(s, 100.0),
}


def load(name: str, folder: Path, image_plane: bool = False, capture=(), seed: int = 0) -> Data:
    """A data set as the protocol sees it (:func:`sitrex.datasets.protocol.protocol_data`) and its tasks.

    With `image_plane`, every landmark is moved to depth 0: the poses a 2-D
    pose estimator facing the person would give. `capture` names
    :data:`CAPTURE` kinds applied to every clip, in order (seeded per clip).
    """
    from sitrex import datasets
    from sitrex.datasets.protocol import protocol_data

    data = Data(protocol_data(name, folder))
    if image_plane:
        data.protocol.skeletons[:] = [
            s.replace(coords=np.concatenate([s.coords[..., :2], np.zeros_like(s.coords[..., 2:])],
                                            axis=-1))
            for s in data.skeletons]
    if capture:
        streams = np.random.SeedSequence(seed).spawn(len(data.skeletons))
        skeletons = []
        for s, stream in zip(data.skeletons, streams):
            rng = np.random.default_rng(stream)
            for kind in capture:
                s = CAPTURE[kind](s, rng)
            skeletons.append(s)
        data.protocol.skeletons[:] = skeletons
    correct = data.correct
    if name == "squat_errors":
        form = data.protocol.forms
        every_fault = tuple(sorted({a for angles in datasets.SQUAT_FAULT_ANGLES.values()
                                    for a in angles}))
        for fault, angles in datasets.SQUAT_FAULT_ANGLES.items():
            clips = np.flatnonzero(correct | (form == fault))
            data.tasks.append(Task(name, fault, clips, ~correct[clips], tuple(angles),
                                   relevant=every_fault))
    elif name == "irds":
        gesture = data.protocol.exercises
        for g in sorted(set(gesture)):
            clips = np.flatnonzero(gesture == g)
            angles = tuple(datasets.IRDS_GESTURE_ANGLES[g])
            data.tasks.append(Task(name, g, clips, ~correct[clips], angles, relevant=angles))
    elif name == "pushfit":
        angles = tuple(datasets.PUSHFIT_EXERCISE_ANGLES["push-up"])
        data.tasks.append(Task(name, "push-up", np.arange(len(correct)), ~correct, (), angles,
                               relevant=angles))
    else:
        raise SystemExit(f"unknown data set {name!r}")
    return data


# ---------------------------------------------------------------------------- coaches
def coach_input(data: Data, clip: int, n_reps: int, rng) -> object:
    """One repetition of `clip`, or it followed by repetitions of other correct clips of its group."""
    from sitrex.datasets.protocol import coach_input as protocol_coach

    return protocol_coach(data.protocol, clip, n_reps, rng)


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
    """The paper's 23 angles as compared (the DTW baselines' input: the same columns as before the
    default comparator also compared the axial rotations)."""
    from sitrex.datasets.protocol import model_angles

    return model_angles(skeleton)[:, :len(ANGLE_NAMES)].astype(np.float64)


def dtw_score(coach: np.ndarray, athlete: np.ndarray, columns) -> float:
    from sitrex.alignment import dtw_distance

    cols = [c for c in columns
            if np.isfinite(coach[:, c]).mean() > 0.5 and np.isfinite(athlete[:, c]).mean() > 0.5]
    if not cols:
        return float("nan")
    return dtw_distance(coach[:, cols], athlete[:, cols])


def similarity_on(report, columns) -> float:
    """A report's score read on `columns` (not empty) instead of its useful angles.

    ``report.score`` itself, of a copy of the report whose useful angles are `columns`.
    """
    useful = np.isin(np.arange(len(report.angle_names)), list(columns))
    return replace(report, useful=useful).score


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    scores = np.asarray(scores, float)
    if not np.isfinite(scores).any():      # e.g. DTW on oracle angles a 2-D pose cannot measure
        return float("nan")
    scores = np.nan_to_num(scores, nan=np.nanmedian(scores))
    return float(roc_auc_score(labels, scores))


BASELINES = ("DTW all angles", "DTW useful angles", "DTW oracle angles")
#: Diagnostic: the shipped comparator's own similarity read on the oracle angles
#: instead of the useful ones. Beside "sitrex" it says how much of the ranking
#: is the similarity's and how much the choice of angles'; beside "DTW oracle
#: angles", how the two measures compare on the same angles.
ORACLE_SIMILARITY = "sitrex on oracle angles"
#: Column labels of the per-task lines.
SHORT = {"DTW all angles": "all", "DTW useful angles": "usef", "DTW oracle angles": "orac",
         ORACLE_SIMILARITY: "sitrex@orac"}
#: The ablation (issue 14): each part of a comparator with a ``statistic_weight``
#: against the shipped combination, set with ``set_params``.
ABLATION = (("learned alone", 0.0), ("statistic alone", 1.0))


def variants(comparator) -> list[tuple[str, object]]:
    """("sitrex", the comparator as given) and, for a comparator with a
    ``statistic_weight``, copies with each part alone (and the parts' mean when
    it is not the comparator's own combination)."""
    import copy

    params = comparator.get_params() if hasattr(comparator, "get_params") else {}
    if "statistic_weight" not in params:
        return [("sitrex", comparator)]
    out = [("sitrex", comparator)]
    extra = list(ABLATION)
    if params.get("combine", "mean") != "mean" or params["statistic_weight"] != 0.5:
        extra.append(("mean of both", 0.5))
    for label, weight in extra:
        variant = copy.copy(comparator)
        variant.set_params(statistic_weight=weight,
                           **({"combine": "mean"} if "combine" in params else {}))
        out.append((label, variant))
    return out


#: Per-report rows for ``--dump``, and the report columns they are in.
DUMP: list[dict] = []
DUMP_NAMES: list[str] = []


def run_task(task: Task, data: Data, comparators, args, rng, n_reps: int) -> dict:
    import sitrex

    names = list(dict(comparators)["sitrex"].angle_names_)    # the report's columns
    # a mirrored athlete's fault is on its other side: the report names the athlete's own angles
    truth = ([names[k] for k in mirror_columns(names)[[names.index(a) for a in task.expected]]]
             if args.mirror_athletes else list(task.expected))
    expected = [names.index(a) for a in truth]
    oracle = [names.index(a) for a in (task.oracle or task.expected)]
    relevant = np.isin(names, task.relevant)
    labels_of = [label for label, _ in comparators]
    methods = labels_of + list(BASELINES) + [ORACLE_SIMILARITY]
    per_coach = {m: [] for m in methods}
    hits = {m: [] for m in labels_of}
    chances = []
    alarms = {m: [] for m in labels_of}      # correct athletes scored below the threshold
    misses = {m: [] for m in labels_of}      # faulty athletes scored at or above it
    told = {m: ([], []) for m in labels_of}  # (correct, faulty) athletes told an angle differs
    useful_pr = []                           # (precision, recall, n useful) per coach
    mirrored = []                            # per report: compared with the coach mirrored
    faulty_seen = set()                      # faulty clips behind the AUCs of this task
    for coach, athletes in pairs(task, data, args.coaches, args.athletes, rng):
        coach_skel = coach_input(data, coach, n_reps, rng)
        if coach_skel is None:
            continue
        coach_angles = cleaned_angles(coach_skel)
        scores = {m: [] for m in methods}
        labels = []
        scored_faulty = set()
        coach_useful = None
        for athlete in athletes:
            skel = data.skeletons[athlete]
            if args.mirror_athletes:
                skel = skel.mirrored()
            reports = {}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    given = ((coach_skel.replace(fps=None), skel.replace(fps=None))
                             if args.rate_unknown else (coach_skel, skel))
                    for label, cmp in comparators:
                        reports[label] = sitrex.compare(*given, cmp)
                except sitrex.InputError as exc:
                    print(f"  skipped {task.name} coach {coach} athlete {athlete}: {exc}")
                    continue
            faulty = bool(~data.correct[athlete])
            labels.append(faulty)
            if faulty:
                scored_faulty.add(int(athlete))
            report = reports["sitrex"]
            mirrored.append(bool(report.coach_mirrored))
            if args.dump:
                DUMP_NAMES[:] = names
                DUMP.append({"dataset": data.name, "task": task.name, "reps": n_reps,
                             "coach": int(coach), "athlete": int(athlete), "faulty": faulty,
                             "expected": np.isin(names, truth),
                             "useful": np.asarray(report.useful, bool),
                             "coach_mirrored": bool(report.coach_mirrored),
                             "usefulness": np.asarray(report.usefulness, float),
                             "coach_range": range_of_motion(report.coach_angles),
                             "athlete_range": range_of_motion(report.athlete_angles),
                             **{f"similarity:{m}": np.asarray(reports[m].mean_similarity, float)
                                for m in labels_of}})
            for label in labels_of:
                r = reports[label]
                scores[label].append(1.0 - r.score)
                below = r.score < r.threshold
                (misses[label] if faulty else alarms[label]).append(
                    (not below) if faulty else below)
                told[label][int(faulty)].append(any(a.ranges for a in r.summary()))
                if faulty and expected and r.useful.any():
                    hits[label].append(r.worst_angles(1)[0] in truth)
            ath = cleaned_angles(skel)
            measured = np.flatnonzero(np.isfinite(coach_angles).any(0) & np.isfinite(ath).any(0))
            useful = np.flatnonzero(report.useful)
            baseline_useful = useful[useful < len(ANGLE_NAMES)]
            coach_useful = report.useful
            scores["DTW all angles"].append(dtw_score(coach_angles, ath, measured))
            scores["DTW useful angles"].append(dtw_score(
                coach_angles, ath, baseline_useful if len(baseline_useful) else measured))
            scores["DTW oracle angles"].append(dtw_score(coach_angles, ath, oracle or measured))
            scores[ORACLE_SIMILARITY].append(1.0 - similarity_on(report, oracle or measured))
            if faulty and expected and report.useful.any():
                chances.append(np.isin(useful, expected).mean())
        if coach_useful is not None and relevant.any():
            chosen = np.asarray(coach_useful, bool)
            found = (chosen & relevant).sum()
            useful_pr.append((found / chosen.sum() if chosen.any() else np.nan,
                              found / relevant.sum(), int(chosen.sum())))
        labels = np.asarray(labels)
        if len(set(labels.tolist())) < 2:
            continue
        for m in methods:
            per_coach[m].append(auc(labels, scores[m]))
        faulty_seen |= scored_faulty
    return {"task": task.name, "auc": per_coach,
            "top1": {m: float(np.mean(h)) if h else None for m, h in hits.items()},
            "chance": float(np.mean(chances)) if chances else None,
            "false_alarms": {m: [int(np.sum(a)), len(a)] for m, a in alarms.items()},
            "misses": {m: [int(np.sum(a)), len(a)] for m, a in misses.items()},
            "told_correct": {m: [int(np.sum(t[0])), len(t[0])] for m, t in told.items()},
            "told_faulty": {m: [int(np.sum(t[1])), len(t[1])] for m, t in told.items()},
            "usefulness": useful_pr,
            "coach_mirrored": [int(np.sum(mirrored)), len(mirrored)],
            "n_coaches": len(per_coach["sitrex"]),
            "faulty_clips": len(faulty_seen),
            "faulty_groups": sorted({str(data.groups[a]) for a in faulty_seen})}


# ---------------------------------------------------------------------------- comparators
def load_comparator(path):
    """The comparator in a sitrex ``.keras`` file, whatever its class."""
    import sitrex
    from sitrex._model_archive import read_metadata

    cls = getattr(sitrex, read_metadata(path)["class"])
    return cls.load(path)


def comparator_for(dataset: str, args):
    """The comparator to evaluate on `dataset`, and a line saying which it is."""
    from sitrex import ExerciseComparator

    if args.lodo:
        path = Path(args.lodo) / f"{dataset}.keras"
        cmp = load_comparator(path)
        label = f"{path} (trained without {dataset})"
    elif args.comparator == "paper":
        cmp = ExerciseComparator.from_pretrained("sitrex-paper", path=args.weights_path)
        label = "sitrex-paper (the paper's weights)"
    elif args.comparator == "default":
        cmp = ExerciseComparator.from_pretrained()
        label = f"default ({cmp.metadata_.get('weights')})"
    else:
        cmp = load_comparator(args.comparator)
        label = args.comparator
    trained = [str(d) for d in (getattr(cmp, "metadata_", None) or {}).get("training_data", [])]
    if dataset in trained:
        raise SystemExit(f"{label} was trained on {dataset}: evaluating it there is not one-shot. "
                         "Give --lodo DIR with a comparator trained without it")
    return cmp, label


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
    parser.add_argument("--no-ablation", action="store_true",
                        help="score only the comparator as given (no statistic_weight variants)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default=os.environ.get("SITREX_DATA")
                        or str(REPO.parent / "shared" / "data"))
    parser.add_argument("--image-plane", action="store_true",
                        help="flatten every pose to depth 0, as a 2-D pose estimator facing the "
                             "person gives it (PushFit's depth is MediaPipe's own estimate)")
    parser.add_argument("--capture", nargs="+", default=[], choices=sorted(CAPTURE),
                        help="record every clip as another capture system would: landmark jitter "
                             "(0.03 torso lengths), lost landmarks (5 %% of frames, in runs of 3-10), "
                             "15 fps, 100 fps; applied in the order given")
    parser.add_argument("--mirror-athletes", action="store_true",
                        help="hand every athlete over mirrored (left and right swapped), as a "
                             "selfie camera records them or as a patient who mirrors a "
                             "physiotherapist facing them moves: the other limb than the coach")
    parser.add_argument("--rate-unknown", action="store_true",
                        help="hand the landmarks to sitrex.compare without their frame rate (it "
                             "then assumes 30 fps), as a user who omits fps= does")
    parser.add_argument("--json", default="feedback_quality.json")
    parser.add_argument("--dump", help="also write each report's per-angle mean similarity "
                                       "(every variant), usefulness, the coach's and athlete's "
                                       "angle ranges and the truth to this .npz")
    args = parser.parse_args()

    started = time.perf_counter()
    results = {"protocol": "one correct repetition (or three) of one group as coach; athletes of "
                           "the other groups; score 1 - sitrex.compare(...).score",
               "options": vars(args), "datasets": {}}
    table = []
    for name in args.datasets:
        data = load(name, Path(args.data), image_plane=args.image_plane, capture=args.capture,
                    seed=args.seed)
        comparator, label = comparator_for(name, args)
        comparators = [("sitrex", comparator)] if args.no_ablation else variants(comparator)
        print(f"\n{name}: {len(data.skeletons)} clips, {len(data.tasks)} task(s); comparator: "
              f"{label}" + ("" if len(comparators) == 1 else
                            f"; ablation: {', '.join(m for m, _ in comparators[1:])}"), flush=True)
        results["datasets"][name] = {"comparator": label}
        for n_reps in args.reps:
            t0 = time.perf_counter()
            rng = np.random.default_rng(args.seed)
            rows = [run_task(task, data, comparators, args, rng, n_reps) for task in data.tasks]
            rows = [r for r in rows if r["n_coaches"]]
            summary = summarize(rows)
            results["datasets"][name][f"coach_{n_reps}_rep"] = {"tasks": rows,
                                                                "summary": summary}
            for r in rows:
                print(f"  [{n_reps} rep] {r['task']:<28} " + "  ".join(
                    f"{m if m == 'sitrex' else m.split()[0] if m in dict(comparators) else SHORT[m]} "
                    f"{np.mean(r['auc'][m]):.2f}" for m in r["auc"])
                    + ("" if r["top1"]["sitrex"] is None else
                       f"  top-1 {r['top1']['sitrex']:.2f} (chance {r['chance']:.2f})")
                    + f"  faulty {r['faulty_clips']} clips / {len(r['faulty_groups'])} group(s)"
                    + (f"  coach mirrored {r['coach_mirrored'][0]}/{r['coach_mirrored'][1]}"
                       if r["coach_mirrored"][0] else ""),
                    flush=True)
            table.append((name, n_reps, summary, label, time.perf_counter() - t0))
    results["seconds"] = time.perf_counter() - started
    print_tables(table, results["seconds"])
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1, default=float)
    print(f"wrote {args.json}")
    if args.dump:
        columns = {key: np.array([row[key] for row in DUMP]) for key in (DUMP[0] if DUMP else {})}
        np.savez_compressed(args.dump, angle_names=np.array(DUMP_NAMES), **columns)
        print(f"wrote {args.dump} ({len(DUMP)} reports)")


if __name__ == "__main__":
    main()
