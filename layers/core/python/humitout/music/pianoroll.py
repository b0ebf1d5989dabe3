"""Piano-roll PNG: one lane per track with chord symbols and bar lines on top, the mix's waveform below.

Drawn with matplotlib's Agg canvas directly (no pyplot state, safe in a Lambda).
The x axis is seconds from song start in both panels.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from humitout.models import Arrangement
from humitout.music.midi import TRACK_NAME_BY_PART

LANE_ORDER = ("drums", "bass", "pad", "chords", "melody")  # bottom to top
LANE_COLOURS = {"drums": "#8c564b", "bass": "#1f77b4", "pad": "#9467bd", "chords": "#2ca02c", "melody": "#d62728"}
WAVEFORM_COLUMNS = 2000


def _note_boxes(arrangement: Arrangement, lane: int, part_name: str) -> np.ndarray:
    """Rectangles ``(n_notes, 4, 2)`` (seconds, lane units) of a part, pitch scaled to fill its lane."""
    notes = arrangement.part(part_name).notes
    if not notes:
        return np.zeros((0, 4, 2))
    seconds_per_beat = 60.0 / arrangement.tempo_bpm
    start = np.array([n.start_beat for n in notes]) * seconds_per_beat
    end = start + np.array([n.duration_beats for n in notes]) * seconds_per_beat
    pitch = np.array([n.pitch for n in notes], dtype=float)
    low, high = pitch.min(), pitch.max()
    row_height = 0.9 / (high - low + 1)
    bottom = lane + 0.05 + (pitch - low) * row_height
    top = bottom + row_height * 0.9
    return np.stack([np.stack([start, bottom], 1), np.stack([end, bottom], 1),
                     np.stack([end, top], 1), np.stack([start, top], 1)], axis=1)


def _envelope(mix: np.ndarray, sample_rate_hz: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Min/max envelope of a ``(2, n_samples)`` mix: (column times s, minima, maxima)."""
    mono = mix.mean(axis=0)
    hop = max(1, len(mono) // WAVEFORM_COLUMNS)
    columns = len(mono) // hop
    blocks = mono[: columns * hop].reshape(columns, hop)
    times = (np.arange(columns) + 0.5) * hop / sample_rate_hz
    return times, blocks.min(axis=1), blocks.max(axis=1)


def write_piano_roll(arrangement: Arrangement, mix: np.ndarray, sample_rate_hz: int, path: Path) -> Path:
    """Draw the piano roll of ``arrangement`` over the ``(2, n_samples)`` ``mix`` and save a PNG."""
    figure = Figure(figsize=(16, 7), dpi=100)
    FigureCanvasAgg(figure)
    roll, wave = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [4, 1]})
    lanes = [name for name in LANE_ORDER if any(p.name == name for p in arrangement.parts)]
    for lane, name in enumerate(lanes):
        roll.add_collection(PolyCollection(_note_boxes(arrangement, lane, name), facecolors=LANE_COLOURS[name],
                                           edgecolors="none"))
        roll.axhspan(lane, lane + 1, color="0.95" if lane % 2 else "white", zorder=0)
    roll.set_yticks(np.arange(len(lanes)) + 0.5, [TRACK_NAME_BY_PART[n] for n in lanes])
    roll.set_ylim(0, len(lanes) + 0.6)

    seconds_per_beat = 60.0 / arrangement.tempo_bpm
    ts = arrangement.time_signature
    seconds_per_bar = ts.numerator * 4 / ts.denominator * seconds_per_beat
    bar_times = np.arange(arrangement.total_bars + 1) * seconds_per_bar
    for axes in (roll, wave):
        axes.vlines(bar_times, 0, 1, transform=axes.get_xaxis_transform(), colors="0.6", linewidth=0.5)
    for section in arrangement.sections:
        roll.axvline(section.start_bar * seconds_per_bar, color="0.2", linewidth=1.2)
        roll.text(section.start_bar * seconds_per_bar, len(lanes) + 0.35, f" {section.name}", fontsize=9,
                  weight="bold", va="center")
    for chord in arrangement.chords:
        roll.text(chord.start_beat * seconds_per_beat, len(lanes) + 0.1, f" {chord.symbol}", fontsize=8,
                  va="center", clip_on=True)
    roll.set_title(f"{arrangement.style.value} - {arrangement.key.name} - {arrangement.tempo_bpm:g} bpm - "
                   f"{ts.numerator}/{ts.denominator}")

    times, minima, maxima = _envelope(mix, sample_rate_hz)
    wave.fill_between(times, minima, maxima, color="0.3", linewidth=0)
    wave.set_ylim(-1, 1)
    wave.set_ylabel("full mix")
    wave.set_xlabel("seconds")
    wave.set_xlim(0, len(mix[0]) / sample_rate_hz)
    figure.tight_layout()
    figure.savefig(path)
    return path
