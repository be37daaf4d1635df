"""matplotlib figures of a FeedbackReport: what each panel shows, and how the file is written."""

from __future__ import annotations

import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sitrex import plots  # noqa: E402
from sitrex.exceptions import InputError, MissingDependencyError, OutputError  # noqa: E402
from sitrex.feedback.report import FeedbackReport  # noqa: E402
from sitrex.plots import (  # noqa: E402
    plot_angle_curves,
    plot_repetitions,
    plot_similarity_heatmap,
    report_figure,
    save_report_figure,
)
from sitrex.repetitions import Repetition  # noqa: E402

NAMES = ("left elbow", "left knee", "right knee", "torso flexion")
T, TC, FPS = 40, 30, 10.0


def make_report(**changes) -> FeedbackReport:
    """4 angles (knees useful), 40 athlete frames at 10 fps, frames 20-24 without a person."""
    rng = np.random.default_rng(0)
    similarity = rng.uniform(0.0, 1.0, (T, len(NAMES)))
    present = np.ones(T, bool)
    present[20:25] = False
    similarity[~present] = np.nan
    similarity[:3] = np.nan  # the first window is not scored yet
    t = np.arange(T) / FPS
    athlete = 100 + 40 * np.sin(t[:, None] + np.arange(len(NAMES)))
    athlete[~present] = np.nan
    fields = dict(
        angle_names=NAMES, usefulness=np.array([0.1, 0.9, 0.8, 0.2]),
        useful=np.array([False, True, True, False]), similarity=similarity, present=present,
        times=t, fps=FPS, threshold=0.5,
        coach_angles=90 + 30 * np.cos(np.arange(TC)[:, None] / FPS + np.arange(len(NAMES))),
        athlete_angles=athlete,
        repetitions=[Repetition(0, 0, 15, 7), Repetition(1, 15, 30, 22), Repetition(2, 30, 40, 35)],
    )
    fields.update(changes)
    return FeedbackReport(**fields)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def report():
    return make_report()


# ---------------------------------------------------------------------------- heat map
def test_heatmap_has_one_row_per_useful_angle_and_one_column_per_frame(report):
    ax = plot_similarity_heatmap(report)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["left knee", "right knee"]
    data = ax.images[0].get_array()
    assert data.shape == (2, T)
    np.testing.assert_allclose(data.filled(np.nan), report.similarity[:, [1, 2]].T)
    assert ax.get_xlabel() == "time (s)"


def test_heatmap_all_angles_when_asked_or_when_none_is_useful(report):
    assert plot_similarity_heatmap(report, useful_only=False).images[0].get_array().shape == (4, T)
    ax = plot_similarity_heatmap(make_report(useful=np.zeros(4, bool)))
    assert ax.images[0].get_array().shape == (4, T)
    assert "all angles" in ax.get_title()


def test_heatmap_runs_red_to_green_with_unscored_cells_masked_and_grey(report):
    ax = plot_similarity_heatmap(report)
    image = ax.images[0]
    assert image.get_clim() == (0.0, 1.0)
    cmap = image.get_cmap()
    red, green = cmap(0.0), cmap(1.0)
    assert red[0] > red[1] and green[1] > green[0]
    data = image.get_array()
    assert data.mask[:, :3].all() and data.mask[:, 20:25].all() and not data.mask[:, 3:20].any()
    assert cmap.get_bad()[:3] == pytest.approx(matplotlib.colors.to_rgb(plots._NOT_SCORED))


def test_heatmap_hatches_frames_without_a_person(report):
    ax = plot_similarity_heatmap(report)
    spans = [p for p in ax.patches if p.get_hatch()]
    assert len(spans) == 1  # one run of absent frames: 20-24
    corners = spans[0].get_transform().transform(spans[0].get_path().vertices)
    xs = ax.transData.inverted().transform(corners)[:, 0]
    assert xs.min() == pytest.approx(1.95) and xs.max() == pytest.approx(2.45)
    assert "no person" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(ax.figure.axes) == 2  # the heat map and its colour bar


def test_heatmap_draws_into_the_given_axes(report):
    fig, ax = plt.subplots()
    assert plot_similarity_heatmap(report, ax=ax) is ax


# ---------------------------------------------------------------------------- curves
def test_curves_default_to_the_worst_useful_angles_coach_dashed(report):
    ax = plot_angle_curves(report)
    worst_first = sorted(["left knee", "right knee"],
                         key=lambda n: report.mean_similarity[NAMES.index(n)])
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels == [f"{worst_first[0]}: athlete", f"{worst_first[0]}: coach",
                      f"{worst_first[1]}: athlete", f"{worst_first[1]}: coach"]
    athlete, coach = ax.get_lines()[:2]
    assert athlete.get_linestyle() == "-" and coach.get_linestyle() == "--"
    assert athlete.get_color() == coach.get_color()
    assert ax.get_xlabel() == "time (s)" and ax.get_ylabel() == "angle (degrees)"


def test_curves_coach_on_its_own_clock_without_alignment(report):
    ax = plot_angle_curves(report, ["left elbow"])
    athlete, coach = ax.get_lines()[:2]
    np.testing.assert_allclose(athlete.get_xdata(), report.times)
    np.testing.assert_allclose(coach.get_xdata(), np.arange(TC) / FPS)
    np.testing.assert_allclose(coach.get_ydata(), report.coach_angles[:, 0])


def test_curves_coach_on_the_athlete_clock_with_alignment():
    alignment = np.minimum(np.arange(T) * TC // T, TC - 1)
    report = make_report(alignment=alignment)
    ax = plot_angle_curves(report, "left knee")
    _, coach = ax.get_lines()[:2]
    assert coach.get_label() == "left knee: coach (aligned)"
    np.testing.assert_allclose(coach.get_xdata(), report.times)
    np.testing.assert_allclose(coach.get_ydata(), report.coach_angles[alignment, 1])


@pytest.mark.parametrize("angles", [["left knee", "torso flexion"], [1, -1],
                                    [False, True, False, True], np.array([1, 3])],
                         ids=["names", "indices", "mask", "index array"])
def test_angles_are_chosen_by_name_index_or_mask(report, angles):
    curves = plot_angle_curves(report, angles)
    assert [line.get_label() for line in curves.get_lines()[:4:2]] == [
        "left knee: athlete", "torso flexion: athlete"]
    bars = plot_repetitions(report, angles=angles)
    assert [bar.get_label() for bar in bars.containers] == ["left knee", "torso flexion"]
    fig = report_figure(report, angles=angles)
    assert [line.get_label() for line in fig.axes[1].get_lines()[:4:2]] == [
        "left knee: athlete", "torso flexion: athlete"]


def test_one_angle_by_name_or_index(report):
    for angle in ("torso flexion", 3):
        ax = plot_angle_curves(report, angle)
        assert ax.get_lines()[0].get_label() == "torso flexion: athlete"


@pytest.mark.parametrize("angles, match", [
    (["left ankle"], "angles: unknown angle 'left ankle'; known: left elbow, left knee"),
    ([9], "angles: column 9 is outside 0..3"),
    ([True, False], "angles: a boolean mask must have 4 entries"),
    ([False] * 4, "angles: the mask selects no column"),
    ([], "angles is empty"),
])
def test_bad_angle_choices_are_input_errors_from_the_one_resolver(report, angles, match):
    with pytest.raises(InputError, match=match):
        plot_angle_curves(report, angles)
    with pytest.raises(InputError, match=match):
        plot_repetitions(report, angles=angles)


def test_curves_mark_repetition_boundaries(report):
    ax = plot_angle_curves(report, ["left knee"])
    boundaries = [line.get_xdata()[0] for line in ax.get_lines()[2:]]
    assert boundaries == pytest.approx([1.45, 2.95])  # reps 2 and 3 start at frames 15 and 30


# ---------------------------------------------------------------------------- repetitions
def test_repetition_bars_are_the_mean_similarity_per_rep_and_angle(report):
    ax = plot_repetitions(report)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["rep 1", "rep 2", "rep 3"]
    heights = np.array([p.get_height() for p in ax.patches]).reshape(2, 3)  # angle-major
    for j, column in enumerate([1, 2]):
        for r, (a, b) in enumerate([(0, 15), (15, 30), (30, 40)]):
            assert heights[j, r] == pytest.approx(np.nanmean(report.similarity[a:b, column]))
    assert ax.get_ylim() == (0.0, 1.0)
    assert any(line.get_ydata()[0] == 0.5 for line in ax.get_lines())  # the threshold


def test_repetition_bars_range_of_motion_with_the_coach_reference(report):
    ax = plot_repetitions(report, metric="range", angles=["left knee"])
    heights = [p.get_height() for p in ax.patches]
    expected = [np.nanmax(report.athlete_angles[a:b, 1]) - np.nanmin(report.athlete_angles[a:b, 1])
                for a, b in [(0, 15), (15, 30), (30, 40)]]
    assert heights == pytest.approx(expected)
    coach_lines = [line for line in ax.get_lines() if "coach" in line.get_label()]
    rom = np.ptp(report.coach_angles[:, 1])
    assert len(coach_lines) == 1 and coach_lines[0].get_ydata()[0] == pytest.approx(rom)
    assert ax.get_ylabel() == "range of motion (degrees)"


def test_repetition_bars_say_so_without_repetitions():
    ax = plot_repetitions(make_report(repetitions=[]))
    assert not ax.patches
    assert [t.get_text() for t in ax.texts] == ["no repetitions found"]


def test_repetition_metric_is_checked(report):
    with pytest.raises(InputError, match="metric"):
        plot_repetitions(report, metric="speed")


def test_angle_colours_agree_between_panels(report):
    curves = plot_angle_curves(report, ["left knee", "right knee"])
    bars = plot_repetitions(report)
    to_rgb = matplotlib.colors.to_rgb
    assert to_rgb(curves.get_lines()[0].get_color()) == to_rgb(bars.patches[0].get_facecolor())
    assert to_rgb(curves.get_lines()[2].get_color()) == to_rgb(bars.patches[3].get_facecolor())


def test_not_a_report_is_a_type_error():
    with pytest.raises(TypeError, match="FeedbackReport"):
        plot_similarity_heatmap(object())


def test_without_matplotlib_the_error_names_the_plots_extra(report, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # "import matplotlib" now fails
    for draw in (plot_similarity_heatmap, plot_angle_curves, plot_repetitions, report_figure):
        with pytest.raises(MissingDependencyError, match=r'pip install "sitrex\[plots\]"'):
            draw(report)


def test_curves_read_worst_angles_and_no_person_ranges_from_the_report(report, monkeypatch):
    """Nothing recomputed: the plots ask the report (here, a report that says otherwise)."""
    monkeypatch.setattr(FeedbackReport, "worst_angles", lambda self, k: ["torso flexion"])
    monkeypatch.setattr(FeedbackReport, "no_person_ranges", lambda self: [(0, 1), (5, 5)])
    ax = plot_angle_curves(report)
    assert ax.get_lines()[0].get_label() == "torso flexion: athlete"
    spans = [p for p in ax.patches if p.get_hatch()]
    corners = [ax.transData.inverted().transform(
        p.get_transform().transform(p.get_path().vertices))[:, 0] for p in spans]
    assert np.array([(c.min(), c.max()) for c in corners]) == pytest.approx(
        np.array([(-0.05, 0.15), (0.45, 0.55)]))


# ---------------------------------------------------------------------------- files
def test_report_figure_has_three_panels_and_no_pyplot_state(report):
    before = plt.get_fignums()
    fig = report_figure(report)
    assert plt.get_fignums() == before
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[:3] == ["similarity to the coach", "coach vs athlete",
                          "per repetition: mean similarity"]


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG\r\n\x1a\n"), (".svg", b"<?xml")])
def test_save_writes_png_and_svg(report, tmp_path, suffix, magic):
    out = save_report_figure(report, tmp_path / f"report{suffix}")
    assert out == tmp_path / f"report{suffix}"
    assert out.read_bytes().startswith(magic)
    if suffix == ".svg":
        assert "</svg>" in out.read_text()
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_save_is_atomic_when_drawing_fails(report, tmp_path, monkeypatch):
    out = tmp_path / "report.png"
    out.write_bytes(b"previous")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        save_report_figure(report, out)
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.png"]


def test_save_errors_name_the_fix(report, tmp_path):
    with pytest.raises(InputError, match=r"\.png or \.svg"):
        save_report_figure(report, tmp_path / "report.pdf")
    with pytest.raises(OutputError, match="does not exist"):
        save_report_figure(report, tmp_path / "missing" / "report.png")
    (tmp_path / "folder.png").mkdir()
    with pytest.raises(OutputError, match="folder.png': it is a folder"):
        save_report_figure(report, tmp_path / "folder.png")
    assert [p.name for p in tmp_path.iterdir()] == ["folder.png"]


def test_more_than_ten_angles_that_matter_each_get_a_colour_of_their_own():
    names = tuple(f"angle {k}" for k in range(16))
    report = make_report(angle_names=names, usefulness=np.full(16, 0.9), useful=np.ones(16, bool),
                         similarity=np.full((T, 16), 0.7), athlete_angles=np.zeros((T, 16)),
                         coach_angles=np.zeros((TC, 16)))
    bars = plot_repetitions(report)
    colours = {matplotlib.colors.to_hex(p.get_facecolor()) for p in bars.patches}
    assert len(colours) == 16


def test_a_repetition_not_scored_has_no_bars_and_says_so():
    similarity = make_report().similarity.copy()
    similarity[15:30] = np.nan                                  # the second repetition
    ax = plot_repetitions(make_report(similarity=similarity))
    heights = np.array([p.get_height() for p in ax.patches]).reshape(2, 3)   # (angles, reps)
    assert np.isnan(heights[:, 1]).all() and np.isfinite(heights[:, [0, 2]]).all()
    assert [t.get_text() for t in ax.texts] == ["not scored"]


def test_the_coach_mirrored_is_labelled_with_the_angle_it_holds():
    report = make_report(coach_mirrored=True,
                         angle_names=("left knee", "right knee", "left elbow", "right elbow"))
    labels = [line.get_label() for line in plot_angle_curves(report, ["left knee"]).get_lines()]
    assert labels[:2] == ["left knee: athlete", "left knee: coach's right knee, mirrored"]
    ranges = plot_repetitions(report, metric="range", angles=["right elbow"])
    assert "right elbow: coach's left elbow, mirrored" in [line.get_label()
                                                          for line in ranges.get_lines()]
    assert [line.get_label() for line in plot_angle_curves(make_report(), ["left knee"])
            .get_lines()][1] == "left knee: coach"


def test_the_coach_runs_on_its_own_frame_rate_also_in_a_report_read_back():
    report = make_report(metadata={"coach_fps": 2 * FPS})      # no coach skeleton
    again = FeedbackReport.from_dict(report.to_dict())
    for r in (report, again):
        coach_line = plot_angle_curves(r, ["left knee"]).get_lines()[1]
        assert coach_line.get_xdata()[-1] == pytest.approx((TC - 1) / (2 * FPS))
