"""Piano roll PNGs: every part on a bar/beat grid, a pitch axis with note names, labelled drum
lanes, section names and chord names that never overlap.

Two renderings: ``piano-roll.png`` (landscape, the whole song in one row, with the mix's
waveform) and ``piano-roll-portrait.png`` (phone: 1080 px wide, :data:`BARS_PER_ROW` bars a
row, rows stacked down the page, large type). The x axis is beats from the song's start,
labelled with bar numbers (1-based); beats are the minor grid. Drawn with matplotlib's Agg
canvas directly (no pyplot state, safe in a Lambda).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from humitout.models import Arrangement
from humitout.music.midi import TRACK_NAME_BY_PART

PITCHED_ORDER = ("pad", "chords", "bass", "melody")  # drawn back to front
PART_STYLE = {  # colour, opacity
    "pad": ("#9467bd", 0.30), "chords": ("#2ca02c", 0.55), "bass": ("#1f77b4", 0.85), "melody": ("#d62728", 1.0),
}
DRUM_COLOUR = "#8c564b"
DRUM_NAMES = {
    35: "Kick", 36: "Kick", 37: "Side stick", 38: "Snare", 39: "Clap", 40: "Snare", 41: "Low tom",
    42: "Closed hat", 43: "Low tom", 44: "Pedal hat", 45: "Mid tom", 46: "Open hat", 47: "Mid tom",
    48: "High tom", 49: "Crash", 50: "High tom", 51: "Ride", 52: "China", 53: "Ride bell", 54: "Tambourine",
    55: "Splash", 56: "Cowbell", 57: "Crash", 59: "Ride", 69: "Cabasa", 70: "Shaker", 75: "Claves",
}
NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
BLACK_KEYS = {1, 3, 6, 8, 10}
BARS_PER_ROW = 4
WAVEFORM_COLUMNS = 2000


def note_name(midi: int) -> str:
    """``60`` -> ``"C4"``."""
    return f"{NOTE_NAMES[midi % 12]}{midi // 12 - 1}"


def drum_lane_name(key: int) -> str:
    """GM percussion key -> lane label (``"Drum 60"`` for keys without a common name)."""
    return DRUM_NAMES.get(key, f"Drum {key}")


def _boxes(starts: np.ndarray, ends: np.ndarray, bottoms: np.ndarray, height: float) -> np.ndarray:
    tops = bottoms + height
    return np.stack([np.stack([starts, bottoms], 1), np.stack([ends, bottoms], 1),
                     np.stack([ends, tops], 1), np.stack([starts, tops], 1)], axis=1)


def _part_names(arrangement: Arrangement) -> set[str]:
    return {p.name for p in arrangement.parts if p.notes}


def _pitch_range(arrangement: Arrangement) -> tuple[int, int]:
    pitches = [n.pitch for p in arrangement.parts if p.name in PITCHED_ORDER for n in p.notes]
    if not pitches:
        return 57, 72
    return min(pitches) - 1, max(pitches) + 1


def _drum_lanes(arrangement: Arrangement) -> list[str]:
    """Lane labels, kick at the bottom, cymbals on top (by GM key), keys sharing a name merged."""
    keys = sorted({n.pitch for p in arrangement.parts if p.name == "drums" for n in p.notes})
    lanes: list[str] = []
    for k in keys:
        if drum_lane_name(k) not in lanes:
            lanes.append(drum_lane_name(k))
    return lanes


def _draw_grid(axes, beats_per_bar: int, first_bar: int, last_bar: int, *, labels: bool) -> None:
    axes.set_xlim(first_bar * beats_per_bar, last_bar * beats_per_bar)
    bars = np.arange(first_bar, last_bar + 1) * beats_per_bar
    axes.vlines(np.arange(first_bar * beats_per_bar, last_bar * beats_per_bar), 0, 1,
                transform=axes.get_xaxis_transform(), colors="0.88", linewidth=0.5, zorder=0.5)
    axes.vlines(bars, 0, 1, transform=axes.get_xaxis_transform(), colors="0.45", linewidth=0.9, zorder=0.6)
    axes.set_xticks(bars[:-1] if len(bars) > 1 else bars,
                    [str(b + 1) for b in range(first_bar, max(first_bar + 1, last_bar))] if labels else [])


def _draw_pitched(axes, arrangement: Arrangement, low: int, high: int, fontsize: float) -> None:
    for midi in range(low, high + 1):
        if midi % 12 in BLACK_KEYS:
            axes.axhspan(midi - 0.5, midi + 0.5, color="0.94", zorder=0, linewidth=0)
        if midi % 12 == 0:
            axes.axhline(midi - 0.5, color="0.75", linewidth=0.6, zorder=0.4)
    present = _part_names(arrangement)
    for name in PITCHED_ORDER:
        if name not in present:
            continue
        notes = arrangement.part(name).notes
        starts = np.array([n.start_beat for n in notes])
        ends = starts + np.array([n.duration_beats for n in notes])
        pitches = np.array([n.pitch for n in notes], dtype=float)
        colour, alpha = PART_STYLE[name]
        axes.add_collection(PolyCollection(_boxes(starts, ends, pitches - 0.42, 0.84), facecolors=colour, alpha=alpha,
                                           edgecolors="black" if name == "melody" else "none", linewidths=0.4,
                                           zorder=2 + PITCHED_ORDER.index(name)))
    axes.set_ylim(low - 0.5, high + 0.5)
    step = 1 if high - low <= 14 else 2 if high - low <= 26 else 12
    ticks = [m for m in range(low, high + 1) if (m % step == 0 if step == 12 else (m - low) % step == 0)]
    if step == 12:  # wide range: every C, plus E and G once the C's are far apart
        ticks = [m for m in range(low, high + 1) if m % 12 in (0, 7)]
    axes.set_yticks(ticks, [note_name(m) for m in ticks], fontsize=fontsize)


def _draw_drums(axes, arrangement: Arrangement, lanes: list[str], fontsize: float) -> None:
    notes = arrangement.part("drums").notes if "drums" in _part_names(arrangement) else []
    if notes:
        lane = np.array([lanes.index(drum_lane_name(n.pitch)) for n in notes], dtype=float)
        starts = np.array([n.start_beat for n in notes])
        velocity = np.array([n.velocity for n in notes]) / 127
        colours = np.zeros((len(notes), 4))
        colours[:, :3] = [0x8C / 255, 0x56 / 255, 0x4B / 255]
        colours[:, 3] = 0.25 + 0.75 * velocity  # louder hits darker
        axes.add_collection(PolyCollection(_boxes(starts, starts + 0.2, lane - 0.35, 0.7), facecolors=colours,
                                           edgecolors="none"))
    for i in range(len(lanes)):
        if i % 2:
            axes.axhspan(i - 0.5, i + 0.5, color="0.95", zorder=0, linewidth=0)
    axes.set_ylim(-0.5, max(len(lanes), 1) - 0.5)
    axes.set_yticks(range(len(lanes)), lanes, fontsize=fontsize)


def _pack_rows(axes, labels: list[tuple[float, str]], fontsize: float, weight: str) -> list[int]:
    """Row of each ``(beat, text)`` label (in beat order): the first row whose last name ends, plus a
    small gap, left of where this one starts, so no two names on a row touch."""
    renderer = axes.figure.canvas.get_renderer()
    row_ends: list[float] = []  # display x where each row is free again
    rows = []
    for beat, text in labels:
        probe = axes.text(beat, 0, text, fontsize=fontsize, weight=weight)
        width = probe.get_window_extent(renderer).width
        probe.remove()
        left = axes.transData.transform((beat, 0))[0]
        row = next((r for r, end in enumerate(row_ends) if left >= end), len(row_ends))
        if row == len(row_ends):
            row_ends.append(0.0)
        row_ends[row] = left + width + fontsize * 0.6
        rows.append(row)
    return rows


def _draw_chords_and_sections(axes, arrangement: Arrangement, first_beat: float, last_beat: float,
                              fontsize: float) -> None:
    """Section names on the top rows, chord names on rows below them: a name that would touch the
    one before it on its row goes to the next row, so no two names overlap."""
    beats_per_bar = arrangement.time_signature.numerator * 4 / arrangement.time_signature.denominator
    axes.set_xlim(first_beat, last_beat)
    axes.set_axis_off()
    line = fontsize * 1.35 * axes.figure.dpi / 72 / axes.bbox.height  # one text line, in axes fraction
    to_axes = axes.get_xaxis_transform()
    sections = [(s.start_bar * beats_per_bar, f" {s.name.title()}") for s in arrangement.sections
                if first_beat <= s.start_bar * beats_per_bar < last_beat]
    section_rows = _pack_rows(axes, sections, fontsize, "bold")
    for (beat, name), row in zip(sections, section_rows):
        axes.axvline(beat, color="0.2", linewidth=1.2)
        axes.text(beat, 1.0 - line * (row + 1), name, fontsize=fontsize, weight="bold", va="bottom",
                  transform=to_axes)
    first_chord_row = max(section_rows, default=0) + 1
    chords = [(c.start_beat, f" {c.symbol}") for c in arrangement.chords if first_beat <= c.start_beat < last_beat]
    for (beat, symbol), row in zip(chords, _pack_rows(axes, chords, fontsize, "normal")):
        y = 1.0 - line * (first_chord_row + row + 1)
        axes.text(beat, y, symbol, fontsize=fontsize, va="bottom", transform=to_axes)
        axes.vlines(beat, y - 0.2 * line, y + 0.6 * line, transform=to_axes, colors="0.3", linewidth=0.8)


def _envelope(mix: np.ndarray, sample_rate_hz: int, seconds_per_beat: float) -> tuple[np.ndarray, ...]:
    """Min/max envelope of a ``(2, n_samples)`` mix: (column times in beats, minima, maxima)."""
    mono = mix.mean(axis=0)
    hop = max(1, len(mono) // WAVEFORM_COLUMNS)
    columns = len(mono) // hop
    blocks = mono[: columns * hop].reshape(columns, hop)
    times = (np.arange(columns) + 0.5) * hop / sample_rate_hz / seconds_per_beat
    return times, blocks.min(axis=1), blocks.max(axis=1)


def _legend(figure: Figure, arrangement: Arrangement, fontsize: float, y: float) -> None:
    present = _part_names(arrangement)
    handles = [Patch(color=PART_STYLE[n][0], alpha=max(0.45, PART_STYLE[n][1]), label=TRACK_NAME_BY_PART[n])
               for n in reversed(PITCHED_ORDER) if n in present]
    if "drums" in present:
        handles.append(Patch(color=DRUM_COLOUR, label=TRACK_NAME_BY_PART["drums"]))
    figure.legend(handles=handles, loc="upper right", ncol=len(handles), fontsize=fontsize, frameon=False,
                  bbox_to_anchor=(0.99, y))


def _title(arrangement: Arrangement) -> str:
    ts = arrangement.time_signature
    return (f"{arrangement.style.value} - {arrangement.key.name} - {arrangement.tempo_bpm:g} bpm - "
            f"{ts.numerator}/{ts.denominator} - {arrangement.total_bars} bars")


def _song_bars(arrangement: Arrangement, beats_per_bar: float) -> int:
    last = max((n.start_beat + n.duration_beats for p in arrangement.parts for n in p.notes), default=0.0)
    return max(arrangement.total_bars, int(np.ceil(last / beats_per_bar - 1e-9)))


def landscape_figure(arrangement: Arrangement, mix: np.ndarray, sample_rate_hz: int) -> Figure:
    """The whole song in one row (16 x 9 in at 100 dpi), with the mix's waveform below; the
    axes are, in order: sections and chords, pitched parts, drum lanes, waveform."""
    ts = arrangement.time_signature
    beats_per_bar = ts.numerator * 4 // ts.denominator
    bars = _song_bars(arrangement, beats_per_bar)
    lanes = _drum_lanes(arrangement)
    figure = Figure(figsize=(16, 9), dpi=100)
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(4, 1, height_ratios=[1.1, 5.0, 0.35 * max(len(lanes), 1) + 0.4, 0.9], hspace=0.06,
                               left=0.07, right=0.99, top=0.94, bottom=0.06)
    top, roll, drums, wave = (figure.add_subplot(grid[i]) for i in range(4))
    low, high = _pitch_range(arrangement)
    for axes in (roll, drums, wave):
        _draw_grid(axes, beats_per_bar, 0, bars, labels=axes is wave)
    _draw_pitched(roll, arrangement, low, high, 8)
    _draw_drums(drums, arrangement, lanes, 8)
    seconds_per_beat = 60.0 / arrangement.tempo_bpm
    times, minima, maxima = _envelope(mix, sample_rate_hz, seconds_per_beat)
    wave.fill_between(times, minima, maxima, color="0.3", linewidth=0)
    wave.set_ylim(-1, 1)
    wave.set_yticks([0], ["mix"], fontsize=8)
    wave.set_xlim(0, bars * beats_per_bar)
    wave.set_xlabel("bar")
    _draw_chords_and_sections(top, arrangement, 0, bars * beats_per_bar, 9)
    figure.suptitle(_title(arrangement), x=0.01, ha="left", fontsize=11)
    _legend(figure, arrangement, 9, 0.995)
    return figure


def portrait_figure(arrangement: Arrangement, *, bars_per_row: int = BARS_PER_ROW, width_px: int = 1080) -> Figure:
    """Phone rendering: ``bars_per_row`` bars a row, rows down the page, ``width_px`` wide; three
    axes a row (sections and chords, pitched parts, drum lanes)."""
    ts = arrangement.time_signature
    beats_per_bar = ts.numerator * 4 // ts.denominator
    bars = _song_bars(arrangement, beats_per_bar)
    n_rows = -(-bars // bars_per_row)
    lanes = _drum_lanes(arrangement)
    low, high = _pitch_range(arrangement)
    dpi = 100
    row_heights = [1.05, 3.2, 0.28 * max(len(lanes), 1) + 0.2]
    height_in = 1.1 + n_rows * (sum(row_heights) + 0.55)
    figure = Figure(figsize=(width_px / dpi, height_in), dpi=dpi)
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(3 * n_rows, 1, height_ratios=row_heights * n_rows, hspace=0.12,
                               left=0.13, right=0.98, top=1 - 0.9 / height_in, bottom=0.3 / height_in)
    fontsize = 15
    for row in range(n_rows):
        first, last = row * bars_per_row, min(bars, (row + 1) * bars_per_row)
        span_end = first + bars_per_row  # short last row keeps the same bar width
        top, roll, drums = (figure.add_subplot(grid[3 * row + i]) for i in range(3))
        for axes in (roll, drums):
            _draw_grid(axes, beats_per_bar, first, span_end, labels=axes is drums)
            axes.tick_params(labelsize=fontsize - 3)
        drums.set_xticks(np.arange(first, last) * beats_per_bar, [str(b + 1) for b in range(first, last)],
                         fontsize=fontsize - 2)
        _draw_pitched(roll, arrangement, low, high, fontsize - 4)
        _draw_drums(drums, arrangement, lanes, fontsize - 5)
        _draw_chords_and_sections(top, arrangement, first * beats_per_bar, span_end * beats_per_bar, fontsize)
    figure.suptitle(_title(arrangement), x=0.02, ha="left", y=1 - 0.15 / height_in, fontsize=fontsize + 1)
    _legend(figure, arrangement, fontsize - 2, 1 - 0.5 / height_in)
    return figure


def write_piano_roll(arrangement: Arrangement, mix: np.ndarray, sample_rate_hz: int, path: Path,
                     portrait_path: Path | None = None) -> Path:
    """Write the landscape piano roll of ``arrangement`` over the ``(2, n_samples)`` ``mix`` to
    ``path``, and the phone rendering to ``portrait_path`` when given."""
    landscape_figure(arrangement, mix, sample_rate_hz).savefig(path)
    if portrait_path is not None:
        portrait_figure(arrangement).savefig(portrait_path)
    return path
