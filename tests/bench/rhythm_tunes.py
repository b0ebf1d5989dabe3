"""Generated tunes with known beats, meter and pickup: our own material for the rhythm benchmark
(independent of the dev corpus, so that the rhythm analysis is not judged only where it was built).

Each tune: a meter (2/4, 3/4, 4/4, 6/8), 4-bar phrases of rhythm cells (eighth-note units), a
pickup of 0-2 beats before each phrase, phrase-final long notes followed by a breath, a melodic
random walk in a major or minor scale, and a performance with smooth rubato (+-``rubato``),
slowing at phrase ends and onset jitter. ``tune(seed)`` returns notes in seconds and the
reference beats (``time_s``, ``beat_in_bar``), in the format of ``score_rhythm.py``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Bar rhythms in eighth notes per meter (compound 6/8 bars are 6 eighths, two dotted-quarter beats).
CELLS = {
    "2/4": [[2, 2], [1, 1, 2], [3, 1], [1, 1, 1, 1], [2, 1, 1], [1, 1, 2]],
    "3/4": [[2, 2, 2], [4, 2], [3, 1, 2], [2, 1, 1, 2], [2, 3, 1], [1, 1, 2, 2], [2, 2, 1, 1]],
    "4/4": [[2, 2, 2, 2], [4, 2, 2], [2, 2, 4], [1, 1, 2, 2, 2], [3, 1, 2, 2], [2, 2, 2, 1, 1], [2, 1, 1, 4]],
    "6/8": [[3, 3], [2, 1, 3], [2, 1, 2, 1], [1, 1, 1, 3], [3, 2, 1], [1, 1, 1, 2, 1]],
}
FINAL_CELLS = {"2/4": [[4], [2, 2]], "3/4": [[6], [4, 2]], "4/4": [[8], [4, 4], [6, 2]], "6/8": [[6], [3, 3]]}
EIGHTHS_PER_BEAT = {"2/4": 2, "3/4": 2, "4/4": 2, "6/8": 3}
BEATS_PER_BAR = {"2/4": 2, "3/4": 3, "4/4": 4, "6/8": 2}
SCALES = {"major": [0, 2, 4, 5, 7, 9, 11], "minor": [0, 2, 3, 5, 7, 8, 10]}


@dataclass
class Tune:
    meter: str
    pickup_beats: int
    beat_bpm: float
    notes: np.ndarray        # (k, 3): onset s, offset s, MIDI
    beats: np.ndarray        # (b, 2): time s, beat in bar (1 = downbeat)
    score_beats: np.ndarray | None = None  # (k,) notated onset of each note, beats from beats[0]


def tune(seed: int, *, meter: str | None = None, bars: int = 8, rubato: float = 0.06,
         bpm: float | None = None, jitter_s: float = 0.012) -> Tune:
    """A generated tune (``bars`` bars after the pickup); ``rubato`` is the tempo wander (share),
    ``jitter_s`` the standard deviation of the early/late attacks (s)."""
    rng = np.random.default_rng(seed)
    meter = meter or str(rng.choice(list(CELLS)))
    per_beat = EIGHTHS_PER_BEAT[meter]
    bar_e = BEATS_PER_BAR[meter] * per_beat
    pickup = int(rng.choice([0, 1, 1, 2] if BEATS_PER_BAR[meter] > 2 else [0, 1]))
    # pickup notes: one beat as eighths or a single beat note
    pickup_cell = [] if pickup == 0 else ([per_beat] * pickup if rng.random() < 0.5
                                          else [1] * (pickup * per_beat) if per_beat == 2 else [per_beat] * pickup)
    motif = [CELLS[meter][i] for i in rng.integers(0, len(CELLS[meter]), 3)]
    lengths: list[int] = list(pickup_cell)
    phrase_end: list[bool] = [False] * len(lengths)
    for bar in range(bars):
        last_of_phrase = bar % 4 == 3
        cell = list(FINAL_CELLS[meter][rng.integers(0, len(FINAL_CELLS[meter]))]) if last_of_phrase \
            else list(motif[bar % 4 % 3] if rng.random() < 0.7 else CELLS[meter][rng.integers(0, len(CELLS[meter]))])
        if last_of_phrase and bar < bars - 1 and pickup_cell:
            # the next phrase's pickup takes the end of this bar
            take = sum(pickup_cell)
            while sum(cell) > bar_e - take:
                cell[-1] -= 1
                if cell[-1] == 0:
                    cell.pop()
            cell += pickup_cell
            ends = [False] * len(cell)
            ends[len(cell) - len(pickup_cell) - 1] = True
        else:
            ends = [False] * len(cell)
            ends[-1] = last_of_phrase
        lengths += cell
        phrase_end += ends
    score_on = np.cumsum([0] + lengths[:-1]) / per_beat          # in beats
    score_len = np.array(lengths) / per_beat
    n_beats = int(np.ceil(score_on[-1] + score_len[-1])) + 1
    # performance: beat period with smooth wander and slowing into phrase ends
    lo, hi = (45.0, 100.0) if meter == "6/8" else (55.0, 160.0)
    beat_bpm = bpm or float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
    period = 60.0 / beat_bpm
    wander = np.cumsum(rng.normal(0, 1, n_beats + 2))
    wander = (wander - wander.mean()) / (np.abs(wander - wander.mean()).max() + 1e-9) * rubato
    slow = np.zeros(n_beats + 2)
    for i in np.flatnonzero(phrase_end):
        b = int(np.floor(score_on[i]))
        slow[max(b - 1, 0): b + 1] += 0.12
    durations = period * (1 + wander + slow)
    beat_times = 0.6 + np.r_[0.0, np.cumsum(durations)]

    def at(x):
        return np.interp(x, np.arange(len(beat_times)), beat_times)
    onsets = at(score_on) + rng.normal(0, jitter_s, len(score_on))
    onsets = np.maximum.accumulate(onsets)
    offsets = at(score_on + score_len) - np.where(phrase_end, 0.25 * period, 0.05 * period)
    offsets[-1] = at(score_on[-1] + score_len[-1]) - 0.05 * period
    offsets = np.maximum(offsets, onsets + 0.06)
    # melody: a random walk in the scale, phrase ends on the tonic or the fifth
    scale = SCALES[str(rng.choice(list(SCALES)))]
    tonic = int(rng.integers(45, 53))   # a low voice: the phone-hum synthesiser's high notes split into octave errors
    degree, pitches = int(rng.integers(0, 5)), []
    for i in range(len(lengths)):
        if phrase_end[i] or i == len(lengths) - 1:
            degree = int(rng.choice([0, 4, 7]))
        else:
            degree = int(np.clip(degree + rng.choice([-2, -1, -1, 1, 1, 2, 3, -3]), -3, 9))
        pitches.append(tonic + 12 * (degree // 7) + scale[degree % 7])
    # reference beats: from the beat at or before the first note to the last one before the end
    first_beat = 0
    last = np.flatnonzero(beat_times <= offsets[-1])[-1]
    idx = np.arange(first_beat, last + 1)
    in_bar = (idx - pickup) % BEATS_PER_BAR[meter] + 1
    return Tune(meter=meter, pickup_beats=pickup, beat_bpm=beat_bpm,
                notes=np.column_stack([onsets, offsets, pitches]),
                beats=np.column_stack([beat_times[idx], in_bar]), score_beats=score_on)


_C, _D, _E, _F, _G, _A, _B, _C5, _D5 = 48, 50, 52, 53, 55, 57, 59, 60, 62
FAMILIAR = {  # name: (meter, pickup beats, [(midi, beats), ...]) in a low voice
    "twinkle": ("4/4", 0, [(m, 2 if i % 7 == 6 else 1) for i, m in enumerate(
        [_C, _C, _G, _G, _A, _A, _G, _F, _F, _E, _E, _D, _D, _C, _G, _G, _F, _F, _E, _E, _D])]),
    "mary": ("4/4", 0, [(_E, 1), (_D, 1), (_C, 1), (_D, 1), (_E, 1), (_E, 1), (_E, 2), (_D, 1), (_D, 1), (_D, 2),
                        (_E, 1), (_G, 1), (_G, 2), (_E, 1), (_D, 1), (_C, 1), (_D, 1), (_E, 1), (_E, 1), (_E, 1),
                        (_E, 1), (_D, 1), (_D, 1), (_E, 1), (_D, 1), (_C, 4)]),
    "jingle-bells": ("4/4", 0, [(_E, 1), (_E, 1), (_E, 2), (_E, 1), (_E, 1), (_E, 2), (_E, 1), (_G, 1), (_C, 1.5),
                                (_D, .5), (_E, 4), (_F, 1), (_F, 1), (_F, 1.5), (_F, .5), (_F, 1), (_E, 1), (_E, 1),
                                (_E, .5), (_E, .5), (_E, 1), (_D, 1), (_D, 1), (_E, 1), (_D, 2), (_G, 2)]),
    "frere-jacques": ("4/4", 0, [(_C, 1), (_D, 1), (_E, 1), (_C, 1)] * 2 + [(_E, 1), (_F, 1), (_G, 2)] * 2
                      + [(_G, .5), (_A, .5), (_G, .5), (_F, .5), (_E, 1), (_C, 1)] * 2),
    "happy-birthday": ("3/4", 1, [(_G, .5), (_G, .5), (_A, 1), (_G, 1), (_C5, 1), (_B, 2), (_G, .5), (_G, .5),
                                  (_A, 1), (_G, 1), (_D5, 1), (_C5, 2), (_G, .5), (_G, .5), (67, 1), (64, 1),
                                  (_C5, 1), (_B, 1), (_A, 2)]),
    "amazing-grace": ("3/4", 1, [(_C, 1), (_F, 2), (_A, .5), (_F, .5), (_A, 2), (_G, 1), (_F, 2), (_D, 1), (_C, 2),
                                 (_C, 1), (_F, 2), (_A, .5), (_F, .5), (_A, 2), (_G, 1), (_C5, 3)]),
    "auld-lang-syne": ("4/4", 1, [(_C, 1), (_F, 1.5), (_F, .5), (_F, 1), (_A, 1), (_G, 1.5), (_F, .5), (_G, 1),
                                  (_A, 1), (_F, 1.5), (_F, .5), (_A, 1), (_C5, 1), (_D5, 3)]),
    "ode-to-joy": ("4/4", 0, [(_E, 1), (_E, 1), (_F, 1), (_G, 1), (_G, 1), (_F, 1), (_E, 1), (_D, 1), (_C, 1),
                              (_C, 1), (_D, 1), (_E, 1), (_E, 1.5), (_D, .5), (_D, 2)] * 2),
}


def familiar(name: str, bpm: float, *, rubato: float = 0.05, seed: int = 0) -> Tune:
    """A familiar tune of :data:`FAMILIAR` sung at ``bpm`` quarter notes a minute with smooth rubato."""
    meter, pickup, pairs = FAMILIAR[name]
    rng = np.random.default_rng(seed)
    starts = np.cumsum([0.0] + [b for _, b in pairs[:-1]])
    end = int(starts[-1] + pairs[-1][1]) + 2
    wander = np.sin(np.linspace(0, 2 * np.pi * rng.uniform(1, 2), end) + rng.uniform(0, 6))
    beat_times = 0.5 + np.r_[0.0, np.cumsum(60.0 / bpm * (1 + rubato * wander))]

    def at(x):
        return np.interp(x, np.arange(len(beat_times)), beat_times)
    lengths = np.array([b for _, b in pairs])
    onsets = at(starts) + rng.normal(0, 0.01, len(starts))
    offsets = at(starts + lengths) - 0.06
    idx = np.arange(0, np.flatnonzero(beat_times <= offsets[-1])[-1] + 1)
    in_bar = (idx - pickup) % BEATS_PER_BAR[meter] + 1
    return Tune(meter=meter, pickup_beats=pickup, beat_bpm=bpm,
                notes=np.column_stack([onsets, offsets, [m for m, _ in pairs]]),
                beats=np.column_stack([beat_times[idx], in_bar]), score_beats=starts)


# A wider familiar set (``FAMILIAR_WIDE``): 32 well-known public-domain melodies (traditional or
# published before 1929), written as in common textbook / songbook versions (the first phrase or two,
# as someone would hum them): 6 in 2/4, 7 in 6/8, 10 in 3/4, 9 in 4/4; 13 start with a pickup (an
# eighth or two in 6/8, one or three beats in simple time). Each tune: (meter, pickup in quarter
# notes, score). The score is written in its usual key with bar lines ``|`` (checked by
# tests/unit/test_bench_familiar_wide.py: every full bar holds the meter, a first bar after a pickup
# and the last bar may be short and complete each other); a token is ``<pitch>:<quarters>`` with
# the pitch as a note name and octave (C4 = MIDI 60, ``#``/``b``), ``r`` a rest and ``-`` a tie
# that holds the note before across the bar line. ``familiar_wide`` moves each tune by whole octaves
# into a low voice (:func:`wide_pairs`). Taken from music21's corpus: pop-goes-the-weasel
# (PopGoesTheWeasel.abc) and irish-washerwoman (book4.abc, O'Neill's eighth-note pickup of the
# common version). The rest written out from the standard versions.
FAMILIAR_WIDE = {
    # 2/4
    "yankee-doodle": ("2/4", 0, "C4:.5 C4:.5 D4:.5 E4:.5 | C4:.5 E4:.5 D4:.5 G3:.5 | C4:.5 C4:.5 D4:.5 E4:.5 | "
                                "C4:1 B3:1 | C4:.5 C4:.5 D4:.5 E4:.5 | F4:.5 E4:.5 D4:.5 C4:.5 | "
                                "B3:.5 G3:.5 A3:.5 B3:.5 | C4:1 C4:1"),
    "london-bridge": ("2/4", 0, "G4:.75 A4:.25 G4:.5 F4:.5 | E4:.5 F4:.5 G4:1 | D4:.5 E4:.5 F4:1 | "
                                "E4:.5 F4:.5 G4:1 | G4:.75 A4:.25 G4:.5 F4:.5 | E4:.5 F4:.5 G4:1 | D4:1 G4:1 | "
                                "E4:.5 C4:1.5"),
    "hot-cross-buns": ("2/4", 0, "E4:1 D4:1 | C4:2 | E4:1 D4:1 | C4:2 | C4:.5 C4:.5 C4:.5 C4:.5 | "
                                 "D4:.5 D4:.5 D4:.5 D4:.5 | E4:1 D4:1 | C4:2"),
    "rondo-alla-turca": ("2/4", 1, "B4:.25 A4:.25 G#4:.25 A4:.25 | C5:.5 r:.5 D5:.25 C5:.25 B4:.25 C5:.25 | "
                                   "E5:.5 r:.5 F5:.25 E5:.25 D#5:.25 E5:.25 | "
                                   "B5:.25 A5:.25 G#5:.25 A5:.25 B5:.25 A5:.25 G#5:.25 A5:.25 | C6:1 A5:.5 C6:.5 | "
                                   "B5:.5 A5:.5 G5:.5 A5:.5 | B5:.5 A5:.5 G5:.5 A5:.5 | B5:.5 A5:.5 G5:.5 F#5:.5 | "
                                   "E5:1"),
    "camptown-races": ("2/4", 0, "G4:.5 G4:.5 E4:.5 G4:.5 | A4:.5 G4:.5 E4:1 | E4:.5 D4:1.5 | E4:.5 D4:1.5 | "
                                 "G4:.5 G4:.5 E4:.5 G4:.5 | A4:.5 G4:.5 E4:1 | D4:.5 D4:.5 E4:.5 D4:.5 | C4:2"),
    "joy-to-the-world": ("2/4", 0, "C5:1 B4:.75 A4:.25 | G4:1.5 F4:.5 | E4:1 D4:1 | C4:1.5 G4:.5 | A4:1.5 A4:.5 | "
                                   "B4:1.5 B4:.5 | C5:1.5 C5:.5 | C5:.5 B4:.5 A4:.5 G4:.5 | G4:.75 F4:.25 E4:1"),
    # 6/8 (quarter-note units: a bar is 3, a beat the dotted quarter 1.5)
    "pop-goes-the-weasel": ("6/8", 0, "G4:1 G4:.5 A4:1 A4:.5 | B4:.5 D5:.5 B4:.5 G4:1 r:.5 | "
                                      "G4:1 G4:.5 A4:1 C5:.5 | B4:1.5 G4:1 r:.5 | G4:1 G4:.5 A4:1 A4:.5 | "
                                      "B4:.5 D5:.5 B4:.5 G4:1 r:.5 | E5:1.5 A4:1 C5:.5 | B4:1.5 G4:1 r:.5"),
    "row-your-boat": ("6/8", 0, "C4:1.5 C4:1.5 | C4:1 D4:.5 E4:1.5 | E4:1 D4:.5 E4:1 F4:.5 | G4:3 | "
                                "C5:.5 C5:.5 C5:.5 G4:.5 G4:.5 G4:.5 | E4:.5 E4:.5 E4:.5 C4:.5 C4:.5 C4:.5 | "
                                "G4:1 F4:.5 E4:1 D4:.5 | C4:3"),
    "greensleeves": ("6/8", .5, "A4:.5 | C5:1 D5:.5 E5:.75 F5:.25 E5:.5 | D5:1 B4:.5 G4:.75 A4:.25 B4:.5 | "
                                "C5:1 A4:.5 A4:.75 G#4:.25 A4:.5 | B4:1 G#4:.5 E4:1 A4:.5 | "
                                "C5:1 D5:.5 E5:.75 F5:.25 E5:.5 | D5:1 B4:.5 G4:.75 A4:.25 B4:.5 | "
                                "C5:.75 B4:.25 A4:.5 G#4:.75 F#4:.25 G#4:.5 | A4:1.5 A4:1"),
    "silent-night": ("6/8", 0, "G4:1.5 A4:.5 G4:1 | E4:3 | G4:1.5 A4:.5 G4:1 | E4:3 | D5:2 D5:1 | B4:3 | "
                               "C5:2 C5:1 | G4:3 | A4:2 A4:1 | C5:1.5 B4:.5 A4:1 | G4:1.5 A4:.5 G4:1 | E4:3 | "
                               "A4:2 A4:1 | C5:1.5 B4:.5 A4:1 | G4:1.5 A4:.5 G4:1 | E4:3"),
    # bars 1-4 and 7-8 (5-6 repeat 1-2), so that it stays under 40 notes
    "irish-washerwoman": ("6/8", 1, "D5:.5 C5:.5 | B4:.5 G4:.5 G4:.5 D4:.5 G4:.5 G4:.5 | "
                                    "B4:.5 G4:.5 B4:.5 D5:.5 C5:.5 B4:.5 | C5:.5 A4:.5 A4:.5 E4:.5 A4:.5 A4:.5 | "
                                    "C5:.5 A4:.5 C5:.5 E5:.5 D5:.5 C5:.5 | C5:.5 B4:.5 C5:.5 A4:.5 D5:.5 C5:.5 | "
                                    "B4:.5 G4:.5 G4:1"),
    "three-blind-mice": ("6/8", 0, "E4:1.5 D4:1.5 | C4:3 | E4:1.5 D4:1.5 | C4:3 | G4:1.5 F4:1 F4:.5 | E4:3 | "
                                   "G4:1.5 F4:1 F4:.5 | E4:2.5 G4:.5 | C5:1 C5:.5 B4:.5 A4:.5 B4:.5 | "
                                   "C5:1 G4:.5 G4:1.5"),
    "jolly-good-fellow": ("6/8", .5, "C4:.5 | F4:1 A4:.5 A4:.5 G4:.5 A4:.5 | Bb4:1.5 A4:1 A4:.5 | "
                                     "G4:1 G4:.5 G4:.5 F4:.5 G4:.5 | A4:1.5 F4:1 C4:.5 | "
                                     "F4:1 A4:.5 A4:.5 G4:.5 A4:.5 | "
                                     "Bb4:1.5 D5:1 D5:.5 | C5:1 Bb4:.5 G4:1 E4:.5 | F4:2.5"),
    # 3/4
    "brahms-lullaby": ("3/4", 1, "E4:.5 E4:.5 | G4:1.5 E4:.5 E4:1 | G4:2 E4:.5 G4:.5 | C5:1 B4:1.5 A4:.5 | "
                                 "A4:1 G4:1 D4:.5 E4:.5 | F4:1 D4:1 D4:.5 E4:.5 | F4:2 D4:.5 F4:.5 | "
                                 "B4:.5 A4:.5 G4:1 B4:1 | C5:2"),
    "my-bonnie": ("3/4", 1, "G4:1 | E5:1.5 D5:.5 C5:1 | D5:1 C5:1 A4:1 | G4:1 E4:2 | -:2 G4:1 | "
                            "E5:1.5 D5:.5 C5:1 | C5:1 B4:1 C5:1 | D5:3 | -:2 G4:1 | E5:1.5 D5:.5 C5:1 | "
                            "D5:1 C5:1 A4:1 | G4:1 E4:2 | -:2 G4:1 | A4:1 D5:1 C5:1 | B4:1 A4:1 B4:1 | C5:2"),
    "o-christmas-tree": ("3/4", 1, "D4:1 | G4:.75 G4:.25 G4:1.5 A4:.5 | B4:.75 B4:.25 B4:1.5 B4:.5 | "
                                   "A4:.5 B4:.5 C5:1 F#4:1 | A4:1 G4:1 D4:1 | G4:.75 G4:.25 G4:1.5 A4:.5 | "
                                   "B4:.75 B4:.25 B4:1.5 B4:.5 | A4:.5 B4:.5 C5:1 F#4:1 | A4:1 G4:1"),
    "clementine": ("3/4", 1, "C4:.75 C4:.25 | C4:1 G3:1 E4:.75 E4:.25 | E4:1 C4:1 C4:.75 E4:.25 | "
                             "G4:1 G4:1 F4:.75 E4:.25 | D4:2 D4:.75 E4:.25 | F4:1 F4:1 E4:.75 D4:.25 | "
                             "E4:1 C4:1 C4:.75 E4:.25 | D4:1 G3:1 B3:.75 D4:.25 | C4:2"),
    "scarborough-fair": ("3/4", 0, "D4:2 D4:1 | A4:2 A4:1 | E4:1.5 F4:.5 E4:1 | D4:3 | r:1 A4:1 C5:1 | "
                                   "D5:2 C5:1 | A4:1 B4:1 G4:1 | A4:3"),
    "daisy-bell": ("3/4", 0, "G5:3 | E5:3 | C5:3 | G4:3 | A4:1 B4:1 C5:1 | A4:2 C5:1 | G4:3 | -:3 | "
                             "D5:3 | G5:3 | E5:3 | C5:3 | A4:1 B4:1 C5:1 | D5:2 E5:1 | D5:3 | -:3"),
    "america": ("3/4", 0, "G4:1 G4:1 A4:1 | F#4:1.5 G4:.5 A4:1 | B4:1 B4:1 C5:1 | B4:1.5 A4:.5 G4:1 | "
                          "A4:1 G4:1 F#4:1 | G4:3 | D5:1 D5:1 D5:1 | D5:1.5 C5:.5 B4:1 | C5:1 C5:1 C5:1 | "
                          "C5:1.5 B4:.5 A4:1"),
    "minuet-in-g": ("3/4", 0, "D5:1 G4:.5 A4:.5 B4:.5 C5:.5 | D5:1 G4:1 G4:1 | E5:1 C5:.5 D5:.5 E5:.5 F#5:.5 | "
                              "G5:1 G4:1 G4:1 | C5:1 D5:.5 C5:.5 B4:.5 A4:.5 | B4:1 C5:.5 B4:.5 A4:.5 G4:.5 | "
                              "F#4:1 G4:.5 A4:.5 B4:.5 G4:.5 | A4:3"),
    "we-wish-you": ("3/4", 1, "G3:1 | C4:1 C4:.5 D4:.5 C4:.5 B3:.5 | A3:1 A3:1 A3:1 | D4:1 D4:.5 E4:.5 D4:.5 C4:.5 | "
                              "B3:1 G3:1 G3:1 | E4:1 E4:.5 F4:.5 E4:.5 D4:.5 | C4:1 A3:1 G3:.5 G3:.5 | "
                              "A3:1 D4:1 B3:1 | C4:2"),
    "star-spangled-banner": ("3/4", 1, "G4:.75 E4:.25 | C4:1 E4:1 G4:1 | C5:2 E5:.75 D5:.25 | C5:1 E4:1 F#4:1 | "
                                       "G4:2 G4:.5 G4:.5 | E5:1.5 D5:.5 C5:1 | B4:2 A4:.5 B4:.5 | C5:1 C5:1 G4:1 | "
                                       "E4:1 C4:1"),
    # 4/4
    "when-the-saints": ("4/4", 3, "C4:1 E4:1 F4:1 | G4:4 | r:1 C4:1 E4:1 F4:1 | G4:4 | r:1 C4:1 E4:1 F4:1 | "
                                  "G4:2 E4:2 | C4:2 E4:2 | D4:4"),
    "deck-the-halls": ("4/4", 0, "C5:1.5 Bb4:.5 A4:1 G4:1 | F4:1 G4:1 A4:1 F4:1 | "
                                 "G4:.5 A4:.5 Bb4:.5 G4:.5 A4:1.5 G4:.5 | "
                                 "F4:1 E4:1 F4:2 | G4:1.5 A4:.5 Bb4:1 G4:1 | A4:1.5 Bb4:.5 C5:1 G4:1 | "
                                 "A4:.5 B4:.5 C5:1 D5:.5 E5:.5 F5:1 | E5:1 D5:1 C5:2"),
    "old-macdonald": ("4/4", 0, "G4:1 G4:1 G4:1 D4:1 | E4:1 E4:1 D4:2 | B4:1 B4:1 A4:1 A4:1 | G4:3 D4:1 | "
                                "G4:1 G4:1 G4:1 D4:1 | E4:1 E4:1 D4:2 | B4:1 B4:1 A4:1 A4:1 | G4:4"),
    # bars 1-4 and 9-16 (5-8 repeat 1-4)
    "au-clair-de-la-lune": ("4/4", 0, "C4:1 C4:1 C4:1 D4:1 | E4:2 D4:2 | C4:1 E4:1 D4:1 D4:1 | C4:4 | "
                                      "D4:1 D4:1 D4:1 D4:1 | A3:2 A3:2 | D4:1 C4:1 B3:1 A3:1 | G3:4 | "
                                      "C4:1 C4:1 C4:1 D4:1 | E4:2 D4:2 | C4:1 E4:1 D4:1 D4:1 | C4:4"),
    "haenschen-klein": ("4/4", 0, "G4:1 E4:1 E4:2 | F4:1 D4:1 D4:2 | C4:1 D4:1 E4:1 F4:1 | G4:1 G4:1 G4:2 | "
                                  "G4:1 E4:1 E4:2 | F4:1 D4:1 D4:2 | C4:1 E4:1 G4:1 G4:1 | C4:4"),
    "eine-kleine-nachtmusik": ("4/4", 0, "G4:1 r:.5 D4:.5 G4:1 r:.5 D4:.5 | G4:.5 D4:.5 G4:.5 B4:.5 D5:1 r:1 | "
                                         "C5:1 r:.5 A4:.5 C5:1 r:.5 A4:.5 | C5:.5 A4:.5 F#4:.5 A4:.5 D4:1 r:1"),
    "o-come-all-ye-faithful": ("4/4", 1, "G4:1 | G4:2 D4:1 G4:1 | A4:2 D4:2 | B4:1 A4:1 B4:1 C5:1 | B4:2 A4:1 G4:1 | "
                                         "G4:2 F#4:1 E4:1 | F#4:1 G4:1 A4:1 B4:1 | F#4:2 E4:1.5 D4:.5 | D4:3"),
    # bars 1-4 and 9-12 (5-8 repeat 1-4)
    "good-king-wenceslas": ("4/4", 0, "G4:1 G4:1 G4:1 A4:1 | G4:1 G4:1 D4:2 | E4:1 D4:1 E4:1 F#4:1 | G4:2 G4:2 | "
                                      "D5:1 C5:1 B4:1 A4:1 | B4:1 A4:1 G4:2 | E4:1 D4:1 E4:1 F#4:1 | G4:2 G4:2"),
    "mozart-40": ("4/4", 1, "Eb5:.5 D5:.5 | D5:1 Eb5:.5 D5:.5 D5:1 Eb5:.5 D5:.5 | D5:1 Bb5:1 r:1 Bb5:.5 A5:.5 | "
                            "G5:1 G5:.5 F5:.5 Eb5:1 Eb5:.5 D5:.5 | C5:1 C5:1 r:1 D5:.5 C5:.5 | "
                            "C5:1 D5:.5 C5:.5 C5:1 D5:.5 C5:.5 | C5:1 A5:1 r:1 A5:.5 G5:.5 | "
                            "F#5:1 F#5:.5 Eb5:.5 D5:1 D5:.5 C5:.5 | Bb4:1 Bb4:1 r:1"),
}
BEAT_QUARTERS = {"2/4": 1.0, "3/4": 1.0, "4/4": 1.0, "6/8": 1.5}   # the counted beat in quarter notes
_STEPS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def parse_score(score: str) -> list[list[tuple[int | None, float]]]:
    """The bars of a :data:`FAMILIAR_WIDE` score: per bar (MIDI or None for a rest or "-" for a tie,
    quarters)."""
    bars = []
    for bar in score.split("|"):
        tokens = []
        for token in bar.split():
            name, quarters = token.split(":")
            if name in ("r", "-"):
                tokens.append((None if name == "r" else name, float(quarters)))
                continue
            step, octave = name[0], int(name[-1])
            accidental = name[1:-1].count("#") - name[1:-1].count("b")
            tokens.append((12 * (octave + 1) + _STEPS[step] + accidental, float(quarters)))
        bars.append(tokens)
    return bars


def wide_pairs(name: str) -> list[tuple[int | None, float]]:
    """(MIDI or None for a rest, quarters) of a :data:`FAMILIAR_WIDE` tune, ties joined, moved by whole
    octaves so that its pitch midpoint is near E3 (MIDI 52, the low voice of :data:`FAMILIAR`: the
    phone-hum synthesiser's high notes split into octave errors)."""
    pairs: list[list] = []
    for bar in parse_score(FAMILIAR_WIDE[name][2]):
        for midi, quarters in bar:
            if midi == "-":
                pairs[-1][1] += quarters
            else:
                pairs.append([midi, quarters])
    pitches = [m for m, _ in pairs if m is not None]
    shift = 12 * round((52 - (min(pitches) + max(pitches)) / 2) / 12)
    return [(None if m is None else m + shift, q) for m, q in pairs]


def familiar_wide(name: str, bpm: float, *, rubato: float = 0.05, seed: int = 0) -> Tune:
    """A tune of :data:`FAMILIAR_WIDE` sung at ``bpm`` counted beats a minute (quarters; dotted
    quarters in 6/8) with smooth rubato (share) and onsets +-10 ms. The reference beats start at the
    counted beat at or before the first note, so a pickup of part of a beat (an eighth in 6/8) counts
    as one pickup beat; each note ends min(60 ms, 30 % of its length) early (a singer's breath between
    notes, shorter between fast notes; a rest is silence)."""
    meter, pickup_q, _ = FAMILIAR_WIDE[name]
    unit = BEAT_QUARTERS[meter]
    pairs = wide_pairs(name)
    rng = np.random.default_rng(seed)
    pickup = int(np.ceil(pickup_q / unit - 1e-9))
    lead = pickup * unit - pickup_q                      # quarters from the first counted beat to the first note
    starts_q = lead + np.cumsum([0.0] + [q for _, q in pairs[:-1]])
    lengths_q = np.array([q for _, q in pairs])
    sounding = np.array([m is not None for m, _ in pairs])
    end = int(np.ceil((starts_q[-1] + lengths_q[-1]) / unit)) + 2
    wander = np.sin(np.linspace(0, 2 * np.pi * rng.uniform(1, 2), end) + rng.uniform(0, 6))
    beat_times = 0.5 + np.r_[0.0, np.cumsum(60.0 / bpm * (1 + rubato * wander))]

    def at(x):
        return np.interp(x, np.arange(len(beat_times)), beat_times)
    starts, lengths = starts_q[sounding] / unit, lengths_q[sounding] / unit   # in counted beats
    onsets = at(starts) + rng.normal(0, 0.01, len(starts))
    ends = at(starts + lengths)
    offsets = ends - np.minimum(0.06, 0.3 * (ends - at(starts)))
    idx = np.arange(0, np.flatnonzero(beat_times <= offsets[-1])[-1] + 1)
    in_bar = (idx - pickup) % BEATS_PER_BAR[meter] + 1
    return Tune(meter=meter, pickup_beats=pickup, beat_bpm=bpm,
                notes=np.column_stack([onsets, offsets, [m for m, _ in pairs if m is not None]]),
                beats=np.column_stack([beat_times[idx], in_bar]), score_beats=starts)
