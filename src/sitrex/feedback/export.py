"""FeedbackReport to and from plain Python, JSON and CSV (files written atomically)."""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from sitrex.exceptions import InputError, MissingFileError
from sitrex._atomic import atomic_write

__all__ = ["FORMAT", "jsonable", "report_to_dict", "report_from_dict", "write_json", "read_json",
           "write_csv"]

#: ``format`` entry of the dict / JSON layout.
FORMAT = "sitrex.feedback/1"

_ARRAYS = ("usefulness", "similarity", "times", "coach_angles", "athlete_angles")
_SCALARS = ("fps", "threshold", "usefulness_threshold", "window", "stride", "kind",
            "coach_source", "athlete_source", "repetition_note", "coach_mirrored")


def jsonable(value: Any) -> Any:
    """`value` as JSON-safe Python: lists for arrays, plain numbers, None for NaN and inf.

    Dataclasses become dicts; tuples, sets and numpy arrays become lists;
    paths become strings.

    Examples
    --------
    >>> import numpy as np
    >>> jsonable({"a": np.array([1.5, np.nan]), "b": np.int64(3), "c": (np.True_, "x")})
    {'a': [1.5, None], 'b': 3, 'c': [True, 'x']}
    """
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            return np.where(np.isfinite(value), value, None).tolist()
        if value.dtype.kind in "biu":
            return value.tolist()
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"cannot write a {type(value).__name__} to JSON: {value!r}")


def report_to_dict(report) -> dict[str, Any]:
    """See :meth:`FeedbackReport.to_dict`."""
    out: dict[str, Any] = {"format": FORMAT, "angle_names": list(report.angle_names),
                           "n_frames": report.n_frames}
    for name in _SCALARS:
        out[name] = jsonable(getattr(report, name))
    for name in _ARRAYS:
        out[name] = jsonable(getattr(report, name))
    out["useful"] = report.useful.tolist()
    out["present"] = report.present.tolist()
    for name in ("alignment", "coverage", "coach_variation"):
        value = getattr(report, name)
        out[name] = None if value is None else jsonable(value)
    out["metadata"] = jsonable(report.metadata)
    out["coach_repetitions"] = jsonable(report.coach_repetitions)
    out["repetitions"] = jsonable(report.repetitions)
    out["repetition_feedback"] = jsonable(report.repetition_feedback)
    out["score"] = jsonable(report.score)
    out["worst_angles"] = report.worst_angles(len(report.angle_names))
    out["summary"] = jsonable(report.summary())
    out["messages"] = report.messages
    return out


def _float_array(value) -> np.ndarray:
    return np.array(value, dtype=np.float64)   # None -> NaN


def _nan_dict(d) -> dict:
    return {k: float("nan") if v is None else v for k, v in dict(d or {}).items()}


def _feedback_fields(item: dict, reps) -> dict:
    item = dict(item)
    item["repetition"] = reps.Repetition(**item["repetition"])
    item["issues"] = tuple(reps.RepetitionIssue(**{**i, "value": _nan(i["value"]),
                                                   "reference": _nan(i["reference"])})
                           for i in item.get("issues") or ())
    item["angles"] = tuple(item.get("angles") or ())
    for key in ("rom", "coach_rom", "extreme", "coach_extreme", "similarity"):
        item[key] = _nan_dict(item.get(key))
    for key in ("duration", "coach_duration"):
        item[key] = _nan(item.get(key))
    return item


def _nan(value):
    return float("nan") if value is None else value


def _rebuild(items: list, class_name: str) -> list:
    """Repetition records as the dataclasses of sitrex.repetitions when they fit, else dicts."""
    try:
        import sitrex.repetitions as reps

        cls = getattr(reps, class_name)
    except (ImportError, AttributeError):
        return list(items)
    out = []
    for item in items:
        try:
            if isinstance(item, dict):
                fields = _feedback_fields(item, reps) if class_name == "RepetitionFeedback" \
                    else item
                item = cls(**fields)
        except (TypeError, KeyError, AttributeError):
            pass
        out.append(item)
    return out


def report_from_dict(cls, data: dict[str, Any]):
    """See :meth:`FeedbackReport.from_dict`."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise InputError(f"not a sitrex feedback report (format {found!r}; expected {FORMAT!r})")
    lacking = [name for name in (*_ARRAYS, "angle_names", "useful", "present") if name not in data]
    if lacking:
        raise InputError(f"the report lacks {', '.join(map(repr, lacking))}: it was cut or edited "
                         "after FeedbackReport.to_dict wrote it")
    kwargs: dict[str, Any] = {name: _float_array(data[name]) for name in _ARRAYS}
    kwargs.update({name: data.get(name) for name in _SCALARS if name in data})
    kwargs["angle_names"] = tuple(data["angle_names"])
    kwargs["useful"] = np.array(data["useful"], dtype=bool)
    kwargs["present"] = np.array(data["present"], dtype=bool)
    kwargs["coach_angles"] = kwargs["coach_angles"].reshape(-1, len(kwargs["angle_names"]))
    if data.get("alignment") is not None:
        kwargs["alignment"] = np.array(data["alignment"], dtype=np.int64)
    for name in ("coverage", "coach_variation"):
        if data.get(name) is not None:
            kwargs[name] = _float_array(data[name])
    kwargs["metadata"] = dict(data.get("metadata") or {})
    kwargs["coach_repetitions"] = _rebuild(data.get("coach_repetitions") or [], "Repetition")
    kwargs["repetitions"] = _rebuild(data.get("repetitions") or [], "Repetition")
    kwargs["repetition_feedback"] = _rebuild(data.get("repetition_feedback") or [],
                                             "RepetitionFeedback")
    return cls(**kwargs)


def write_json(report, path: str | os.PathLike[str]) -> Path:
    """See :meth:`FeedbackReport.to_json`."""
    path = Path(path)
    data = report_to_dict(report)
    with atomic_write(path, "w") as f:
        json.dump(data, f, indent=1, allow_nan=False)
        f.write("\n")
    return path


def read_json(cls, path: str | os.PathLike[str]):
    """See :meth:`FeedbackReport.from_json`."""
    path = Path(path)
    if not path.is_file():
        raise MissingFileError(f"no feedback report at {str(path)!r}; check the path")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path.name} is not valid JSON: {exc}") from exc
    return report_from_dict(cls, data)


def _csv_rows(report):
    """Rows of the per-frame table, as strings (NaN -> empty cell)."""
    yield ["frame", "time", "present", *report.angle_names]
    sim = report.similarity
    for t in range(report.n_frames):
        yield [str(t), f"{report.times[t]:.10g}", "1" if report.present[t] else "0",
               *("" if np.isnan(v) else f"{v:.10g}" for v in sim[t])]


def write_csv(report, path: str | os.PathLike[str]) -> Path:
    """See :meth:`FeedbackReport.to_csv`."""
    path = Path(path)
    with atomic_write(path, "w") as f:
        csv.writer(f, lineterminator="\n").writerows(_csv_rows(report))
    return path
