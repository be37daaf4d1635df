"""Athletes who alternate a movement of both sides (lunges: right, left, right, left), SYNTHETIC.

The real data sets have no lunges; sitrex's synthetic generator has. For each
of ``--seeds`` camera views (yaw drawn in -60..60 degrees, landmark noise 1 cm),
the coach is one correct lunge and the athletes are 4 lunges of other bodies
in one clip, the second and fourth mirrored (the other leg forward): all
correct, the other leg's two lunges shallow, the coach's leg's two shallow
(``shallow_depth`` at full severity), and, as controls, 4 lunges on the
coach's leg and 4 on the other. Each athlete is compared as :func:`sitrex.compare`
does by default (``sides="auto"``: an athlete who alternates has each
repetition compared with the coach on its side,
:func:`sitrex.repetition_sides.repetition_sides`) and side for side
(``sides="same"``). Printed per case and setting: the share of clips found to
alternate, the repetitions counted, the mean score, and the share of the
shallow lunges named (a repetition with an issue) and of the correct ones
named. A symmetric exercise alternated the same way (squats, every second
one mirrored) must never be found to alternate.

Live (:class:`sitrex.LiveComparator`, the same clips streamed frame by frame):
the sides of the repetitions counted with ``sides="auto"`` (a lunge coach is
not one-sided: side for side) and ``sides="alternating"``. With ``--real
FOLDER`` (the shared data), also live sessions on real clips that do not
alternate (PushFit push-ups and IRDS gestures, 3 coaches and 8 athletes per
task, one correct repetition as the coach): how many sessions count or judge
differently with ``"alternating"`` than with ``"auto"``, and how many
repetitions go to the other side.

    python benchmarks/alternating_lunges.py [--real ../shared/data]

Writes ``alternating_lunges.json``. Uses the shipped default comparator.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from other_side import load_comparator, write_results      # this folder's script

ALTERNATING = (False, True, False, True)
#: Per case: which of the 4 lunges are shallow, and which are on the other leg (mirrored).
CASES = {
    "alternating, correct": ((False,) * 4, ALTERNATING),
    "alternating, other leg shallow": ((False, True, False, True), ALTERNATING),
    "alternating, coach's leg shallow": ((True, False, True, False), ALTERNATING),
    "coach's leg only": ((False,) * 4, (False,) * 4),
    "other leg only": ((False,) * 4, (True,) * 4),
}


def lunges(seed: int, exercise: str = "lunge"):
    """7 correct and 7 shallow repetitions of the same bodies and view, on the first one's side."""
    from sitrex.datasets import make_exercise

    view = float(np.random.default_rng(seed).uniform(-60.0, 60.0))
    made = []
    for fault_rate in (0.0, 1.0):
        clips, _, info = make_exercise(7, [exercise], n_reps=1, view=view, noise=0.01,
                                       random_state=100 + seed, return_info=True,
                                       faults=["shallow_depth"], fault_rate=fault_rate,
                                       severity=1.0)
        made.append(clips)
        leads = [i.get("lead_side") for i in info]
    lead = leads[0]
    return [[c if side == lead else c.mirrored() for c, side in zip(clips, leads)]
            for clips in made]


def athlete(good, bad, shallow, other_leg):
    """Lunges 1-4 of other bodies in one clip, shallow or not, on the coach's leg or the other."""
    from sitrex.skeleton import concatenate

    parts = [bad[k + 1] if s else good[k + 1] for k, s in enumerate(shallow)]
    return concatenate([c.mirrored() if other else c for c, other in zip(parts, other_leg)])


def run_case(comparator, good, bad, shallow, other_leg, sides: str) -> dict:
    import sitrex

    report = sitrex.compare(good[0], athlete(good, bad, shallow, other_leg), comparator,
                            sides=sides)
    named = [bool(fb.issues) for fb in report.repetition_feedback]
    return {"alternates": "side_runs" in report.metadata, "repetitions": len(report.repetitions),
            "score": report.score, "named": named}


def live_sides(comparator, coach, clip, sides: str) -> str:
    """The repetitions a live session counts on `clip`: "c" coach's side, "o" other side, "!"
    something differs."""
    import sitrex

    live = sitrex.LiveComparator(coach, comparator, sides=sides)
    feedback = [live.update(frame, t) for frame, t in zip(clip.coords, clip.times)]
    reps = [r for f in feedback for r in f.new_repetitions] + live.finish()
    return "".join(("o" if r.other_side else "c") + ("" if r.ok else "!") for r in reps)


def real_sessions(comparator, folder: str) -> dict:
    """Live sessions on real clips that do not alternate, ``"auto"`` against ``"alternating"``."""
    from sitrex.datasets.protocol import coach_input, protocol_data

    rows = {}
    for name in ("pushfit", "irds"):
        data = protocol_data(name, folder)
        rng = np.random.default_rng(0)
        for task in sorted(set(data.exercises)):
            clips = np.flatnonzero(data.exercises == task)
            coaches = rng.permutation(clips[data.correct[clips]])[:3]
            for coach_clip in coaches:
                coach = coach_input(data, coach_clip, 1, rng)
                others = clips[data.groups[clips] != data.groups[coach_clip]]
                for clip in rng.permutation(others)[:8]:
                    rows[f"{name}|{task}|{coach_clip}|{clip}"] = [
                        live_sides(comparator, coach, data.skeletons[clip], sides)
                        for sides in ("auto", "alternating")]
    changed = {k: v for k, v in rows.items() if v[0] != v[1]}
    return {"sessions": len(rows), "changed": changed,
            "other_side_repetitions": {sides: sum(v[k].count("o") for v in rows.values())
                                       for k, sides in enumerate(("auto", "alternating"))}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comparator", default="default", help="'default' or a .keras file")
    parser.add_argument("--seeds", type=int, default=8, help="camera views (and bodies)")
    parser.add_argument("--json", default="alternating_lunges.json")
    parser.add_argument("--real", metavar="FOLDER",
                        help="the shared data folder: also live sessions on real clips")
    args = parser.parse_args()
    started = time.perf_counter()
    warnings.simplefilter("ignore")
    comparator = load_comparator(args.comparator)
    results: dict = {"cases": {}, "squats": {}}
    views = [lunges(seed) for seed in range(args.seeds)]
    print(f"{'case':34s} {'sides':5s} {'alternates':>10s} {'reps':>5s} {'score':>6s} "
          f"{'shallow named':>13s} {'correct named':>13s}")
    for case, (shallow, other_leg) in CASES.items():
        for sides in ("auto", "same"):
            runs = [run_case(comparator, good, bad, shallow, other_leg, sides)
                    for good, bad in views]
            counted = [r for r in runs if r["repetitions"] == 4]    # named needs 4 repetitions
            flags = np.array([r["named"] for r in counted], bool).reshape(-1, 4)
            mask = np.array(shallow, bool)
            row = {"alternates": float(np.mean([r["alternates"] for r in runs])),
                   "repetitions": float(np.mean([r["repetitions"] for r in runs])),
                   "score": float(np.mean([r["score"] for r in runs])),
                   "shallow_named": float(flags[:, mask].mean()) if mask.any() and len(flags)
                   else float("nan"),
                   "correct_named": float(flags[:, ~mask].mean()) if len(flags) else float("nan"),
                   "clips_with_4_repetitions": len(counted)}
            results["cases"][f"{case} / {sides}"] = row
            print(f"{case:34s} {sides:5s} {row['alternates']:10.2f} {row['repetitions']:5.1f} "
                  f"{row['score']:6.3f} {row['shallow_named']:13.2f} {row['correct_named']:13.2f}")
    found = 0
    for seed in range(args.seeds):
        good, bad = lunges(seed, "squat")
        found += run_case(comparator, good, bad, (False,) * 4, ALTERNATING, "auto")["alternates"]
    results["squats"] = {"clips": args.seeds, "found_to_alternate": found}
    print(f"squats, every second one mirrored: {found} of {args.seeds} found to alternate")
    results["live"] = {}
    for case, (shallow, other_leg) in CASES.items():
        counted = {sides: [live_sides(comparator, good[0], athlete(good, bad, shallow, other_leg),
                                      sides) for good, bad in views]
                   for sides in ("auto", "alternating")}
        results["live"][case] = counted
        print(f"live {case:34s} auto {' '.join(sorted(set(counted['auto'])))}   alternating "
              f"{' '.join(sorted(set(counted['alternating'])))}")
    if args.real:
        real = real_sessions(comparator, args.real)
        results["real"] = real
        other = real["other_side_repetitions"]
        print(f"live on real clips: {len(real['changed'])} of {real['sessions']} sessions differ "
              f"with 'alternating'; repetitions given to the other side: {other['auto']} with "
              f"'auto' (one-sided coaches), {other['alternating']} with 'alternating'")
        for key, (auto, alternating) in real["changed"].items():
            print(f"  {key}: auto {auto or '-'}, alternating {alternating or '-'}")
    write_results(results, args.json, started)


if __name__ == "__main__":
    main()
