"""What if a report named or scored differently? Offline analyses of a benchmark dump.

Both analyses read the reports ``benchmarks/feedback_quality.py --dump``
recorded (per report: each angle's mean similarity, the useful angles, their
usefulness, the coach's and athlete's angle ranges, the truth) and run no
comparator again.

**Naming** (``report.worst_angles(1)`` names the useful angle with the lowest
mean similarity): the top-1 of other ranking keys, beside two chance levels,
that of a useful angle drawn at random and that of a useful *joint* angle
drawn at random (a key that prefers joint angles picks from that likelier set
without localising anything). Keys, lowest named first: the shipped
similarity, each part alone, the coach's range times one minus the
similarity, the change of range in degrees, the usefulness alone (the angle
the coach moves most, whatever the athlete does), joint angles before the
plane-projected ones, and that order reversed among the joints.

**Scoring** (``report.score`` is the mean over the useful angles): the
ROC-AUC of faulty against correct athletes, per coach and task as the
benchmark takes it, when the per-angle similarities are aggregated otherwise
(minimum, worst three, worst quarter, worst half, harmonic mean, median), and
when the angles the coach keeps still count too (a compensation, such as a
trunk that leans during an arm raise, shows there): the lowest of them alone,
the useful angles with the still ones below 0.5, every measured angle. With
one-repetition athletes the mean reproduces the benchmark's figures.

    python benchmarks/feedback_quality.py --lodo build/lodo --coaches 3 --athletes 20 \\
        --dump build/bench/reports.npz
    python benchmarks/what_if.py build/bench/reports.npz --json what_if.json
"""

from __future__ import annotations

import argparse
import json

import numpy as np

DATASETS = ("squat_errors", "irds", "pushfit")


def load(path: str) -> dict:
    z = np.load(path, allow_pickle=False)
    needed = {"usefulness", "coach_range", "athlete_range", "similarity:sitrex"}
    missing = needed - set(z.files)
    if missing:
        raise SystemExit(f"{path} lacks {sorted(missing)}: write it again with "
                         "benchmarks/feedback_quality.py --dump (this version records them)")
    return {k: z[k] for k in z.files}


def joint_angles(d: dict) -> np.ndarray:
    """Which dumped angles are joint angles (``measure == "joint"`` in sitrex's angle table)."""
    from sitrex.angle_table import ANGLE_DEFINITIONS

    measure = {a.name: a.measure for a in ANGLE_DEFINITIONS}
    return np.array([measure.get(str(name)) == "joint" for name in d["angle_names"]])


def cases(d: dict, datasets=DATASETS) -> list[tuple[str, int]]:
    present = set(d["dataset"].tolist())
    return [(ds, r) for ds in datasets if ds in present for r in sorted(set(d["reps"].tolist()))]


# ---------------------------------------------------------------- naming
def ranking_keys(d: dict, joint: np.ndarray) -> dict[str, np.ndarray]:
    """Ranking keys, one (n_reports, n_angles) array each; the lowest is named."""
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


def top1(d: dict, key: np.ndarray, joint: np.ndarray, dataset: str, reps: int) -> dict:
    """Per task, the share of faulty reports whose lowest useful key is a moved angle; mean over tasks."""
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


# ---------------------------------------------------------------- scoring
def _worst(share: float | None = None, count: int | None = None):
    def aggregate(v: np.ndarray) -> float:
        n = count if count is not None else max(1, int(len(v) * share))
        return float(np.mean(np.sort(v)[:n]))
    return aggregate


def _on_useful(aggregate):
    return lambda s, useful: float(aggregate(s[useful]))


def _with_still(s: np.ndarray, useful: np.ndarray) -> float:
    still = s[~useful]
    return float(np.mean(np.concatenate([s[useful], still[still < 0.5]])))


#: Ways to turn a report's per-angle similarities into one score: ``f(s, useful)``
#: with `s` the measured angles' similarities and `useful` which of them are useful.
AGGREGATIONS = {
    "mean (shipped)": _on_useful(np.mean),
    "minimum": _on_useful(np.min),
    "worst three": _on_useful(_worst(count=3)),
    "worst quarter": _on_useful(_worst(share=0.25)),
    "worst half": _on_useful(_worst(share=0.5)),
    "harmonic mean": _on_useful(lambda v: 1.0 / np.mean(1.0 / np.maximum(v, 1e-3))),
    "median": _on_useful(np.median),
    "lowest still angle alone": lambda s, useful: float(np.min(s[~useful], initial=1.0)),
    "useful and still below 0.5": _with_still,
    "every measured angle": lambda s, useful: float(np.mean(s)),
}


def aggregated_auc(d: dict, aggregate, dataset: str, reps: int) -> float:
    """Mean over (coach, task) of the ROC-AUC of faulty vs correct, scored 1 - aggregate."""
    from sklearn.metrics import roc_auc_score

    s, useful = d["similarity:sitrex"], d["useful"]
    sel = (d["dataset"] == dataset) & (d["reps"] == reps)
    aucs = []
    for coach in np.unique(d["coach"][sel]):
        for task in np.unique(d["task"][sel & (d["coach"] == coach)]):
            rows = np.flatnonzero(sel & (d["coach"] == coach) & (d["task"] == task))
            faulty = d["faulty"][rows]
            kept = [i for i in rows if (useful[i] & np.isfinite(s[i])).any()]
            if len(kept) < len(rows) or faulty.all() or not faulty.any():
                continue
            scores = [1.0 - aggregate(s[i][np.isfinite(s[i])], useful[i][np.isfinite(s[i])])
                      for i in rows]
            aucs.append(roc_auc_score(faulty, scores))
    return float(np.mean(aucs)) if aucs else float("nan")


# ---------------------------------------------------------------- output
def _table(title: str, columns: list[str], rows: dict[str, list[float]], width: int = 42) -> None:
    print(title)
    print(f"{'':{width}s}" + "".join(f"{c:>20s}" for c in columns))
    for name, values in rows.items():
        print(f"{name:{width}s}" + "".join(f"{v:>20.3f}" for v in values))
    print()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump", help="the .npz of feedback_quality.py --dump")
    parser.add_argument("--json", default="what_if.json")
    args = parser.parse_args(argv)
    d = load(args.dump)

    named = cases(d, ("squat_errors", "irds"))
    joint = joint_angles(d)
    naming = {name: {f"{ds} {r} rep": top1(d, key, joint, ds, r) for ds, r in named}
              for name, key in ranking_keys(d, joint).items()}
    columns = [f"{ds} {r} rep" for ds, r in named]
    first = next(iter(naming.values()))
    _table("naming: top-1 of each ranking key (mean over tasks)", columns,
           {**{name: [row[c]["top1"] for c in columns] for name, row in naming.items()},
            "chance (a useful angle)": [first[c]["chance"] for c in columns],
            "chance (a useful joint angle)": [first[c]["chance_joint"] for c in columns]})

    scored = cases(d)
    scoring = {name: {f"{ds} {r} rep": aggregated_auc(d, fn, ds, r) for ds, r in scored}
               for name, fn in AGGREGATIONS.items()}
    columns = [f"{ds} {r} rep" for ds, r in scored]
    _table("scoring: ROC-AUC faulty vs correct of each aggregation of the per-angle similarities",
           columns, {name: [row[c] for c in columns] for name, row in scoring.items()})

    from sitrex._atomic import atomic_write

    with atomic_write(args.json, "w") as f:      # no half-written file if interrupted
        json.dump({"naming": naming, "scoring": scoring}, f, indent=1)
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
