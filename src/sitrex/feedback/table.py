"""The summary table of many comparisons: one line per athlete, written as CSV and JSON.

:func:`sitrex.compare_many` returns a :class:`ManyResult` and, with an output
folder, writes its table as ``summary.csv`` and ``summary.json``
(atomically): athlete, status, score, worst angles, repetitions, whether the
coach was mirrored, whether the athlete alternated sides, report file, error.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .export import FORMAT
from .report import FeedbackReport

__all__ = ["AthleteResult", "ManyResult", "RUN_RECORD", "SUMMARY_COLUMNS", "SUMMARY_FILES",
           "finished_report", "report_summary", "written_by_a_run"]

#: Files of the summary table in the output folder.
SUMMARY_FILES = ("summary.csv", "summary.json")
#: ``format`` entry of ``summary.json``.
SUMMARY_FORMAT = "sitrex.compare_many/1"
#: Columns of the summary table.
SUMMARY_COLUMNS = ("athlete", "status", "score", "worst_angles", "repetitions",
                   "coach_mirrored", "alternates", "report", "error")
#: What a report says in its line of the table (the other columns say how the run went).
REPORT_FIELDS = ("score", "worst_angles", "repetitions", "coach_mirrored", "alternates")
#: Worst angles listed per athlete in the summary.
N_WORST = 3
#: Key of ``report.metadata`` where compare_many records what a report was made with.
RUN_RECORD = "compare_many"


@dataclass
class AthleteResult:
    """One athlete's line of the summary table.

    Attributes
    ----------
    athlete : str
        The athlete's name (a file's stem, or the key given).
    status : {"compared", "skipped", "failed"}
        Compared in this run, skipped (its report was finished in an earlier
        run), or failed (see `error`).
    score : float or None
        :attr:`FeedbackReport.score` (None when failed or nothing was scored).
    worst_angles : list of str
        The useful angles least like the coach's, worst first (at most 3).
    repetitions : int or None
        Repetitions found in the athlete's clip.
    coach_mirrored : bool or None
        :attr:`FeedbackReport.coach_mirrored`: the athlete works the other
        side, and was compared with the coach's movement mirrored.
    alternates : bool or None
        The athlete alternated sides (right, left, right, left), and each
        side's repetitions were compared with the coach on that side
        (``report.metadata["side_runs"]``, :mod:`sitrex.feedback.alternating`).
    report : str or None
        The report file, when written.
    error : str
        Why it failed (empty otherwise).
    """

    athlete: str
    status: str
    score: float | None = None
    worst_angles: list[str] = field(default_factory=list)
    repetitions: int | None = None
    coach_mirrored: bool | None = None
    alternates: bool | None = None
    report: str | None = None
    error: str = ""

    def csv_row(self) -> list[str]:
        """The line as CSV cells (worst angles joined by ``"; "``, None as an empty cell)."""
        return [self.athlete, self.status, "" if self.score is None else f"{self.score:.6g}",
                "; ".join(self.worst_angles),
                "" if self.repetitions is None else str(self.repetitions),
                *("" if flag is None else str(flag).lower()
                  for flag in (self.coach_mirrored, self.alternates)),
                self.report or "", self.error]

    def take(self, fields: Mapping[str, Any]) -> None:
        """Fill the report's columns (:data:`REPORT_FIELDS`) from `fields`."""
        for name in REPORT_FIELDS:
            setattr(self, name, fields[name])

    def report_fields(self) -> dict[str, Any]:
        """The report's columns of this line (:data:`REPORT_FIELDS`)."""
        return {name: getattr(self, name) for name in REPORT_FIELDS}


def _summary_of(data: Mapping[str, Any]) -> dict[str, Any]:
    """A report's columns (:data:`REPORT_FIELDS`) from its dict (:meth:`FeedbackReport.to_dict`)."""
    score = data.get("score")
    mirrored = data.get("coach_mirrored")
    return {"score": None if score is None else float(score),
            "worst_angles": list(data.get("worst_angles") or [])[:N_WORST],
            "repetitions": len(data.get("repetitions") or []),
            "coach_mirrored": None if mirrored is None else bool(mirrored),
            "alternates": "side_runs" in (data.get("metadata") or {})}


def report_summary(report: FeedbackReport) -> dict[str, Any]:
    """A report's columns (:data:`REPORT_FIELDS`): its line in the summary table."""
    score = report.score
    return {"score": None if score != score else float(score),
            "worst_angles": report.worst_angles(N_WORST),
            "repetitions": len(report.repetitions),
            "coach_mirrored": bool(report.coach_mirrored),
            "alternates": "side_runs" in report.metadata}


@dataclass
class ManyResult:
    """What :func:`compare_many` did.

    Attributes
    ----------
    rows : list of AthleteResult
        One per athlete, in the order given.
    reports : dict of str to FeedbackReport
        The reports made in this run, by athlete, when no output folder was
        given (with one, they are in its files: :meth:`FeedbackReport.from_json`).
    summary : dict of str to pathlib.Path
        ``{"csv": ..., "json": ...}``: the summary files written (none
        without an output folder).
    notes : list of str
        What the run says about itself, e.g. that reports of an earlier run
        were made with another coach or other options and were redone.

    Examples
    --------
    >>> result = ManyResult([AthleteResult("ann", "compared", 0.8, ["left knee"], 3),
    ...                      AthleteResult("bob", "failed", error="VideoError: unreadable")])
    >>> result, result.ok, result.failed
    (ManyResult(compared=1, skipped=0, failed=1), False, {'bob': 'VideoError: unreadable'})
    """

    rows: list[AthleteResult] = field(default_factory=list)
    reports: dict[str, FeedbackReport] = field(default_factory=dict)
    summary: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def _names(self, status: str) -> list[str]:
        return [row.athlete for row in self.rows if row.status == status]

    @property
    def compared(self) -> list[str]:
        """Athletes compared in this run."""
        return self._names("compared")

    @property
    def skipped(self) -> list[str]:
        """Athletes whose report was finished in an earlier run."""
        return self._names("skipped")

    @property
    def failed(self) -> dict[str, str]:
        """Athlete -> error, for the athletes that could not be compared."""
        return {row.athlete: row.error for row in self.rows if row.status == "failed"}

    @property
    def ok(self) -> bool:
        """True when no athlete failed."""
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        """The summary table as JSON-safe Python (what ``summary.json`` holds, less the coach)."""
        from .export import jsonable

        return {"format": SUMMARY_FORMAT,
                "counts": {s: len(self._names(s)) for s in ("compared", "skipped", "failed")},
                "athletes": [jsonable(row) for row in self.rows], "notes": list(self.notes)}

    def write_summary(self, folder: str | os.PathLike[str], coach: str | None = None
                      ) -> dict[str, Path]:
        """Write ``summary.csv`` and ``summary.json`` into `folder`, atomically; returns them."""
        from sitrex._atomic import atomic_write

        folder = Path(folder)
        paths = {"csv": folder / SUMMARY_FILES[0], "json": folder / SUMMARY_FILES[1]}
        with atomic_write(paths["csv"], "w") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(SUMMARY_COLUMNS)
            writer.writerows(row.csv_row() for row in self.rows)
        with atomic_write(paths["json"], "w") as f:
            json.dump({**self.to_dict(), "coach": coach}, f, indent=1, allow_nan=False)
            f.write("\n")
        self.summary = paths
        return paths

    def __repr__(self) -> str:
        return (f"ManyResult(compared={len(self.compared)}, skipped={len(self.skipped)}, "
                f"failed={len(self.failed)})")


def finished_report(output: Path, made_with: Mapping[str, Any] | None = None
                    ) -> AthleteResult | None:
    """The summary line of a report finished in an earlier run (None if it cannot be read).

    With `made_with` (what this run records in ``report.metadata[RUN_RECORD]``),
    a report made otherwise (another coach, other options, or no record) is
    returned with status ``"outdated"``: it must be made again.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> broken = pathlib.Path(tempfile.mkdtemp()) / "ann.json"
    >>> _ = broken.write_text("{not json")
    >>> finished_report(broken) is None
    True
    >>> _ = broken.write_text('{"score": 0.9}')         # JSON, but not a report's
    >>> finished_report(broken) is None
    True
    >>> _ = broken.write_text('{"format": "sitrex.feedback/1", "score": 0.9}')
    >>> finished_report(broken).status, finished_report(broken, {"coach": "ab12"}).status
    ('skipped', 'outdated')
    """
    try:
        data = json.loads(output.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return None  # a JSON file, but no report (a landmark file, say)
        fields = _summary_of(data)
        record = (data.get("metadata") or {}).get(RUN_RECORD)
    except (OSError, ValueError, TypeError, AttributeError):
        return None      # not a report of ours: the athlete is compared again
    status = "skipped" if made_with is None or record == made_with else "outdated"
    return AthleteResult(output.stem, status, report=str(output), **fields)


#: How the files compare_many writes start (reports and summary tables), whitespace aside.
_RUN_OUTPUT = re.compile(rb'\s*\{\s*"format"\s*:\s*"(' + re.escape(FORMAT.encode()) + b"|"
                         + re.escape(SUMMARY_FORMAT.encode()) + rb')"')


def written_by_a_run(path: Path) -> bool:
    """Whether `path` is a report or a summary table that compare_many wrote (read from its start).

    So that an output folder that is also the athletes' folder can be read
    again: its reports and summary are not athletes.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "ann.json").write_text('{  "format": "sitrex.feedback/1", "n_frames": 3}')
    >>> _ = (folder / "bob.json").write_text('{"format": "sitrex.skeleton/1"}')
    >>> written_by_a_run(folder / "ann.json"), written_by_a_run(folder / "bob.json")
    (True, False)
    """
    try:
        with open(path, "rb") as f:
            head = f.read(256)
    except OSError:
        return False
    return _RUN_OUTPUT.match(head) is not None
