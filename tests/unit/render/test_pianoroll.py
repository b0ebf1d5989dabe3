import numpy as np

from humitout.models import Chord, Section
from humitout.music.pianoroll import landscape_figure, note_name, portrait_figure

from conftest import make_arrangement


def _dense_chords(arrangement):
    """A long-named chord on every beat: the labels cannot all fit on one line."""
    busy = arrangement.model_copy(deep=True)
    busy.chords = [Chord(start_beat=float(b), duration_beats=1.0, symbol=["C#m7b5", "F#7sus4", "Bbmaj7"][b % 3],
                         root_pc=1, quality="m7b5", pitches=[61, 64, 67, 71]) for b in range(4 * busy.total_bars)]
    return busy


def _chord_label_boxes(axes):
    renderer = axes.figure.canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in axes.texts if t.get_fontweight() != "bold"]


def _label_boxes(axes):
    """Every name on the sections-and-chords row: section names (bold) and chord names."""
    renderer = axes.figure.canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in axes.texts]


def _overlaps(boxes) -> list:
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]


def test_chord_names_never_overlap_in_either_rendering(arrangement):
    busy = _dense_chords(arrangement)
    landscape = landscape_figure(busy, np.zeros((2, 48_000), np.float32), 48_000)
    boxes = _chord_label_boxes(landscape.axes[0])
    assert len(boxes) == len(busy.chords) and not _overlaps(boxes)
    portrait = portrait_figure(busy)
    for axes in portrait.axes[0::3]:
        assert not _overlaps(_chord_label_boxes(axes))
    assert sum(len(_chord_label_boxes(a)) for a in portrait.axes[0::3]) == len(busy.chords)


def test_short_sections_names_overlap_neither_each_other_nor_chords():
    """A 40-bar song of one-bar sections (a short pre-chorus before each chorus): no two section or
    chord names touch in either rendering."""
    busy = _dense_chords(make_arrangement(bars=40))
    names = ["intro", "verse", "pre-chorus", "chorus", "pre-chorus", "chorus", "bridge", "outro"]
    busy.sections = [Section(name=names[b % len(names)], start_bar=b, bars=1) for b in range(busy.total_bars)]
    landscape = landscape_figure(busy, np.zeros((2, 48_000), np.float32), 48_000)
    portrait = portrait_figure(busy)
    for axes in [landscape.axes[0], *portrait.axes[0::3]]:
        boxes = _label_boxes(axes)
        assert len(boxes) > 4 and not _overlaps(boxes)
    assert sum(t.get_fontweight() == "bold" for t in landscape.axes[0].texts) == busy.total_bars


def test_axes_show_note_names_bars_and_labelled_drum_lanes(arrangement):
    figure = landscape_figure(arrangement, np.zeros((2, 48_000), np.float32), 48_000)
    _, roll, drums, wave = figure.axes[:4]
    assert {t.get_text() for t in roll.get_yticklabels()} >= {"C4", "C5"}
    assert [t.get_text() for t in drums.get_yticklabels()] == ["Kick", "Snare", "Closed hat"]
    assert [t.get_text() for t in wave.get_xticklabels()] == [str(b) for b in range(1, arrangement.total_bars + 1)]
    assert wave.get_xticks()[1] - wave.get_xticks()[0] == 4  # one bar = 4 beats


def test_portrait_is_phone_shaped_with_four_bars_a_row(arrangement):
    figure = portrait_figure(arrangement)
    width, height = figure.get_size_inches() * figure.dpi
    assert width == 1080 and height > width
    assert len(figure.axes) == 3 * -(-arrangement.total_bars // 4)
    assert [t.get_text() for t in figure.axes[2].get_xticklabels()] == ["1", "2", "3", "4"]


def test_note_names():
    assert [note_name(m) for m in (60, 61, 45, 72)] == ["C4", "C#4", "A2", "C5"]
