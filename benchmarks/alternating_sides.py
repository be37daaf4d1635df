"""Athletes who alternate sides (left, right, left, right) on real recordings: IRDS' one-arm gestures.

IRDS records each one-arm gesture once per arm ("Shoulder Abduction Left" and
"... Right"). Here an athlete's clip is one subject's correct left, right, left
and right gestures in a row (two clips of each arm, at the first clip's frame
rate), and the coach is one correct left-arm repetition of the *other* subject.
Offline, each such clip is compared as :func:`sitrex.compare` does by default
(``sides="auto"``: found to alternate, each arm's runs compared with the coach
on that side, :mod:`sitrex.feedback.alternating`) and side for side
(``sides="same"``), and the script prints whether it was found to alternate,
the repetitions counted and the score. Live (:class:`sitrex.LiveComparator`
with ``sides="auto"``), the same clips streamed frame by frame, and one-arm
clips of the same subjects (which must count nothing on the other side): the
side of each repetition counted.

    python benchmarks/alternating_sides.py

Writes ``alternating_sides.json``. The data set has two subjects with correct
clips of both arms; every combination of the two is used. The shipped default
saw IRDS in training: the runs and the counts rest on the coach's useful
angles (its evidence rule) and on the angles' speeds and ranges, not on the
learned part; the scores are the shipped file's.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from pathlib import Path

import numpy as np

from other_side import load_comparator, write_results  # beside this script

REPO = Path(__file__).resolve().parents[1]
OFFLINE = ("Shoulder Abduction", "Shoulder Flexion")
LIVE = ("Shoulder Abduction", "Shoulder Flexion", "Elbow Flexion")


def clips_of(data, gesture: str) -> dict:
    """{(subject, "Left" | "Right"): correct clip indices}."""
    out = {}
    for side in ("Left", "Right"):
        clips = np.flatnonzero((data.exercises == f"{gesture} {side}") & data.correct)
        for subject in dict.fromkeys(data.groups[clips]):
            out[(str(subject), side)] = clips[data.groups[clips] == subject]
    return out


def alternating(data, lefts, rights, k: int):
    """Clips ``lefts[k], rights[k], lefts[k + 1], rights[k + 1]`` as one clip."""
    from sitrex.skeleton import concatenate

    fps = data.skeletons[lefts[k]].fps
    return concatenate([data.skeletons[i].replace(fps=fps)
                        for i in (lefts[k], rights[k], lefts[k + 1], rights[k + 1])])


def sides_counted(live, clip) -> str:
    """The side of each repetition a live session counts on `clip`: "c" coach's, "o" other."""
    feedback = [live.update(frame, t) for frame, t in zip(clip.coords, clip.times)]
    reps = [r for f in feedback for r in f.new_repetitions] + live.finish()
    return "".join("o" if r.other_side else "c" for r in reps)


def main() -> None:
    import sitrex
    from sitrex.datasets.protocol import coach_input, protocol_data
    from sitrex.live import LiveComparator

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comparator", default="default", help="'default' or a .keras file")
    parser.add_argument("--data", default=os.environ.get("SITREX_DATA")
                        or str(REPO.parent / "shared" / "data"))
    parser.add_argument("--json", default="alternating_sides.json")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    started = time.perf_counter()
    comparator = load_comparator(args.comparator)
    data = protocol_data("irds", Path(args.data))
    rows, live_rows = [], []
    for gesture in LIVE:
        clips = clips_of(data, gesture)
        subjects = sorted({s for s, _ in clips})
        for subject in subjects:
            lefts, rights = clips.get((subject, "Left"), []), clips.get((subject, "Right"), [])
            if not len(lefts):
                continue
            for other in (s for s in subjects if s != subject):
                coach_clips = clips.get((other, "Left"), [])
                for c, coach_clip in enumerate(coach_clips[:2]):
                    coach = coach_input(data, coach_clip, 1, np.random.default_rng(0))
                    pairs = range(0, min(len(lefts), len(rights)) - 1, 2)
                    if gesture in OFFLINE:
                        for k in pairs:
                            athlete = alternating(data, lefts, rights, k)
                            auto = sitrex.compare(coach, athlete, comparator)
                            same = sitrex.compare(coach, athlete, comparator, sides="same")
                            runs = "".join("o" if side == "other side" else "c" for *_, side
                                           in auto.metadata.get("side_runs", []))
                            rows.append({"gesture": gesture, "athlete": subject, "coach": other,
                                         "coach_clip": c, "clips": k, "runs": runs,
                                         "alternates": runs == "coco", "score": auto.score,
                                         "repetitions": len(auto.repetitions),
                                         "side_for_side_repetitions": len(same.repetitions),
                                         "side_for_side_score": same.score})
                            print(f"  {gesture:<18} athlete {subject} coach {other}/{c} clips "
                                  f"{k}-{k + 1}: runs {runs or '-':<4} {len(auto.repetitions)} "
                                  f"reps, score {auto.score:.2f} (side for side "
                                  f"{len(same.repetitions)} reps, {same.score:.2f})", flush=True)
                    if c:
                        continue              # live: one coach per subject pair
                    one_arm = [sides_counted(LiveComparator(coach, comparator, sides="auto"),
                                             data.skeletons[k]) for k in lefts[:4]]
                    alternated = [sides_counted(LiveComparator(coach, comparator, sides="auto"),
                                                alternating(data, lefts, rights, 0))] \
                        if len(pairs) else []
                    live_rows.append({"gesture": gesture, "athlete": subject, "coach": other,
                                      "one_arm_clips": one_arm, "alternating_clips": alternated})
                    print(f"  live {gesture:<18} athlete {subject} coach {other}: one-arm clips "
                          f"{one_arm}, alternating {alternated}", flush=True)
    found = [r for r in rows if r["alternates"]]
    one_arm = [s for r in live_rows for s in r["one_arm_clips"]]
    alternated = [s for r in live_rows for s in r["alternating_clips"]]
    summary = {
        "offline_clips": len(rows), "offline_alternating": len(found),
        "offline_scores": [min((r["score"] for r in found), default=None),
                           max((r["score"] for r in found), default=None)],
        "offline_four_repetitions": sum(r["repetitions"] == 4 for r in found),
        "live_one_arm_clips": len(one_arm),
        "live_one_arm_with_other_side": sum("o" in s for s in one_arm),
        "live_alternating_clips": len(alternated),
        "live_alternating_coco": sum(s == "coco" for s in alternated)}
    print(f"\noffline: {summary['offline_alternating']} of {summary['offline_clips']} alternating "
          f"clips found to alternate ({summary['offline_four_repetitions']} with 4 repetitions; "
          f"scores {summary['offline_scores'][0]:.2f}-{summary['offline_scores'][1]:.2f})"
          if found else f"\noffline: none of {len(rows)} clips found to alternate")
    print(f"live: {summary['live_alternating_coco']} of {summary['live_alternating_clips']} "
          f"alternating clips counted coach's side, other, coach's, other; "
          f"{summary['live_one_arm_with_other_side']} of {summary['live_one_arm_clips']} one-arm "
          "clips counted something on the other side")
    write_results({"comparator": args.comparator, "offline": rows, "live": live_rows,
                   "summary": summary}, args.json, started)


if __name__ == "__main__":
    main()
