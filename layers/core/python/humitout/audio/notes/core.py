"""The note event and what several note steps share: the limits of a note (shortest note, the pitch jump
that starts one, the level gate's depth) and small helpers on notes (gaps, the call's median pitch, the
singer's tuning)."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np


TAIL_DB = 15.0        # dB under the local maximum where a note has ended (reverb tails stay out)
LEVEL_WIN_S = 0.3     # s, half-width of the window giving the local maximum
JUMP_ST = 0.6         # semitones, pitch change that starts a new note
MIN_JUMP_S = 0.05     # s, how long the pitch must stay away
TUNING_WINDOW_S = 3.0  # s either side of a note whose notes give the singer's tuning reference there
DIP_DB = 5.0          # dB, depth of an energy dip that re-attacks a note
DIP_CONFIRM_DB = 3.0  # dB, depth the same dip must also reach in the notch-robust level
DIP_WIN_S = 0.12      # s, window on each side of a dip holding its reference maxima
MIN_NOTE_S = 0.07     # s, shortest note
ENERGY_WIN_S = 0.03   # s, window of the frame energy (frame_energy_db): a sound that stops falls within it
ONSET_LEAD_S = 0.02   # s, voicing (conf >= 0.5) starts this much after the attack does
TONE_ST = 1.0          # semitones: a held pitch this close to a background tone is the tone
WEAK_CONF = 0.25      # voicing confidence under 0.5 that a steady, loud pitch still makes a note
STEADY_ST = 0.5       # semitones: a weakly voiced run is a note where its pitch stays this close to its median
MAX_WEAK_ATTACK_S = 0.4  # s, longest weakly voiced attack added before a voiced run (re-pitched or
                         # noise-suppressed vowels can sit at the caller's level with a low confidence)
ATTACK_RISE_DB = 3.0   # dB over the quietest frame of the gap before it a frame of such an attack must be
PHRASE_GAP_S = 0.3     # s, longest gap between two notes of one phrase
PHONE_TOP_HZ = 3400.0  # Hz, top of the telephone band
LOST_FLOOR_DB = -100.0  # dB: a frame level at or under this is no reading (its window mostly lost samples)
DEAD_PAD_S = 0.03     # s, frames either side of a dropout whose analysis windows straddle it
CALLER_LEAP_ST = 9.0    # semitones: the largest step a weak note may be from the caller's note it continues
COMB_STEP_ST = 0.05          # semitones between the pitches whose harmonic combs are compared
COMB_HARMONICS = 8           # harmonics read in a comb (those in the phone band)
TALKER_LEAP_ST = 7.0     # semitones: a leap at least this large out of or into a held note in one voiced run
SUBHARMONIC_ST = (12.0, 12.0 * float(np.log2(3.0)))  # semitones from a pitch down to its f / 2 and f / 3


@dataclass
class NoteEvent:
    """A note: ``onset_s``/``offset_s`` in seconds, ``midi`` fractional, ``confidence`` in [0, 1]."""

    onset_s: float
    offset_s: float
    midi: float
    confidence: float


def partial_off(d_st: float) -> float:
    """Semitones from ``d_st`` to the nearest interval at which the tracker hears a partial or a
    sub-harmonic of a voice (12, 19 or 24 semitones, either way)."""
    return min(abs(abs(d_st) - k) for k in (12.0, 19.0, 24.0))


def weighted_quantile(v: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(v)
    c = np.cumsum(w[order])
    return float(v[order][min(np.searchsorted(c, q * c[-1]), len(v) - 1)])


def call_median_midi(notes: list[NoteEvent]) -> float:
    """The call's duration-weighted median pitch (MIDI number) over ``notes``: the register a note is
    measured against (a few short octave errors barely move it)."""
    return weighted_quantile(np.array([n.midi for n in notes]), np.array([n.offset_s - n.onset_s for n in notes]),
                              0.5)


def note_level_db(level_db: np.ndarray, n: NoteEvent, hop_s: float) -> float:
    """Median of the frame levels ``level_db`` (n,) dB over note ``n`` (frames of ``hop_s`` s)."""
    a = int(round(n.onset_s / hop_s))
    return float(np.median(level_db[a:max(int(round(n.offset_s / hop_s)), a + 1)]))


def gap_s(a: NoteEvent, b: NoteEvent) -> float:
    """Silence (s) between two notes, whichever comes first; 0 when one ends where the other starts."""
    first, second = (a, b) if a.onset_s <= b.onset_s else (b, a)
    return second.onset_s - first.offset_s


def in_singers_tuning(notes: list[NoteEvent], *, window_s: float = TUNING_WINDOW_S) -> list[NoteEvent]:
    """Each note's pitch (MIDI) against the singer's own tuning around it, not against A = 440 Hz.

    An unaccompanied singer keeps the intervals but not the pitch: the whole line drifts by tens of
    cents over a song (Mauch, Frieler and Dixon 2014, "Intonation in unaccompanied singing"), so a
    note sung on a semitone of the singer's current reference can sit 0.5 st or more from the A440
    semitone a listener hears it as. The reference at a note is the duration-weighted circular mean
    of the fractional MIDI pitches of the notes starting within ``window_s`` s of it (about a
    phrase); the note's pitch is shifted by it (at most half a semitone), so its rounding names the
    semitone of the singer's scale and the cents of expression against that scale stay. A reference
    half a semitone or more from A440 is read as the nearer semitone's: followed from note to note,
    one wrong turn across that boundary (a misread note) would rename every later note. Onsets,
    offsets and confidences are untouched."""
    if not notes:
        return notes
    onset = np.array([n.onset_s for n in notes])
    phasor = np.array([(n.offset_s - n.onset_s) * np.exp(2j * np.pi * n.midi) for n in notes])
    return [replace(note, midi=float(note.midi - np.angle(phasor[np.abs(onset - t) <= window_s].sum()) / (2 * np.pi)))
            for note, t in zip(notes, onset)]
