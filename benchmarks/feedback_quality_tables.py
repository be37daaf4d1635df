"""The tables of ``feedback_quality.py``: per-task rows summarised per data set, then printed.

Kept beside the benchmark script (which imports it from its own folder), so that
the script holds the protocol and this module the reporting.
"""

from __future__ import annotations

import numpy as np


def summarize(rows: list[dict]) -> dict:
    out = {"auc": {}, "top1": {}, "false_alarms": {}, "misses": {}, "told_correct": {},
           "told_faulty": {}}
    for m in rows[0]["auc"] if rows else ():
        values = [v for r in rows for v in r["auc"][m]]
        out["auc"][m] = (float(np.mean(values)), float(np.std(values))) if values else \
            (np.nan, np.nan)
    chances = [r["chance"] for r in rows if r["chance"] is not None]
    out["chance"] = float(np.mean(chances)) if chances else None
    for m in rows[0]["top1"] if rows else ():
        values = [r["top1"][m] for r in rows if r["top1"][m] is not None]
        out["top1"][m] = float(np.mean(values)) if values else None
        for key in ("false_alarms", "misses", "told_correct", "told_faulty"):
            k, n = np.sum([r[key][m] for r in rows], axis=0)
            out[key][m] = float(k / n) if n else None
    out["evidence"] = {"tasks": len(rows), "coaches": int(sum(r["n_coaches"] for r in rows)),
                       "faulty_clips": int(sum(r["faulty_clips"] for r in rows)),
                       "task_faulty_groups": int(sum(len(r["faulty_groups"]) for r in rows))}
    useful = np.array([u for r in rows for u in r["usefulness"]], float).reshape(-1, 3)
    out["usefulness"] = dict(zip(("precision", "recall", "n_useful"),
                                 np.nanmean(useful, axis=0).tolist())) if len(useful) else None
    return out


def print_tables(table: list, seconds: float) -> None:
    methods = list(table[0][2]["auc"]) if table else []
    print(f"\nROC-AUC faulty vs correct, mean +- sd over coaches ({seconds:.0f} s):")
    print(f"{'data set':<13}{'coach':<7}" + "".join(f"{m:<21}" for m in methods))
    for name, n_reps, s, _, _ in table:
        print(f"{name:<13}{n_reps} rep  " + "".join(
            f"{s['auc'][m][0]:.3f} +- {s['auc'][m][1]:.3f}      " for m in methods))
    variants_ = list(table[0][2]["top1"]) if table else []
    print("\ntop-1 localisation (share of faulty athletes whose worst angle is a moved one), "
          "chance beside it:")
    print(f"{'data set':<13}{'coach':<7}" + "".join(f"{m:<18}" for m in variants_) + "chance")
    for name, n_reps, s, _, _ in table:
        print(f"{name:<13}{n_reps} rep  " + "".join(
            f"{'-' if s['top1'][m] is None else format(s['top1'][m], '.2f'):<18}"
            for m in variants_) + ("-" if s["chance"] is None else f"{s['chance']:.2f}"))
    _share_pairs(table, variants_, "false_alarms", "misses",
                 "calibration at the report's threshold: false alarms (correct athletes scored below "
                 "it) / misses (faulty athletes at or above it):")
    _share_pairs(table, variants_, "told_correct", "told_faulty",
                 "what a report's lines say: share of athletes told that some useful angle differs "
                 "from the coach (an angle with a range of frames below the threshold), correct / "
                 "faulty:")
    print("\nevidence behind the AUCs: coaches, faulty clips scored, and (task, group) pairs among "
          "them (a group is who or what recorded a clip: a person, a day, a video format; "
          "faulty clips of one group may differ from the coach for reasons other than the fault):")
    for name, n_reps, s, _, _ in table:
        e = s["evidence"]
        print(f"{name:<13}{n_reps} rep  {e['tasks']} tasks, {e['coaches']} coaches, "
              f"{e['faulty_clips']} faulty clips from {e['task_faulty_groups']} (task, group) pairs")
    print("\nusefulness against the relevant angles (squat: the faults' angles; IRDS: the moving "
          "limb; PushFit: the push-up angles), mean over coaches:")
    for name, n_reps, s, _, _ in table:
        u = s["usefulness"]
        if u:
            print(f"{name:<13}{n_reps} rep  precision {u['precision']:.2f}  recall "
                  f"{u['recall']:.2f}  useful angles {u['n_useful']:.1f}")


def _share_pairs(table: list, variants_: list, first: str, second: str, title: str) -> None:
    """One row per (data set, coach): ``first / second`` shares of each variant."""
    print("\n" + title)
    print(f"{'data set':<13}{'coach':<7}" + "".join(f"{m:<18}" for m in variants_))
    for name, n_reps, s, _, _ in table:
        print(f"{name:<13}{n_reps} rep  " + "".join(
            f"{s[first][m]:.2f} / {s[second][m]:.2f}      " for m in variants_))
