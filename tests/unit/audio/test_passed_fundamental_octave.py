"""A note read at 250-300 Hz, where the phone band still passes the fundamental, is lifted an octave when
its odd harmonics all lie 18 dB or more under its 2nd, however sure the tracker was
(:func:`humitout.audio.notes.lift_lag_floor_subharmonics`, ``passed_low_hz``)."""
import numpy as np

from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.partials import lift_lag_floor_subharmonics, odd_partials_missing_db

SR = 16000


def _voice(midi: float, partials: tuple[float, ...], odd_under_db: float | None, dur: float = 0.6) -> np.ndarray:
    """A voice at ``midi`` (partial k at ``partials[k - 1]``), with, when ``odd_under_db`` is given, a trace of
    the odd multiples of half its pitch that far under its fundamental (a codec's doubled period, the noise
    a coder or breath leaves between the voice's harmonics)."""
    t = np.arange(int(dur * SR)) / SR
    f = 440.0 * 2 ** ((midi - 69) / 12)
    x = sum(a * np.sin(2 * np.pi * k * f * t) for k, a in enumerate(partials, start=1))
    if odd_under_db is not None:
        x = x + 10 ** (-odd_under_db / 20) * sum(np.sin(2 * np.pi * k * f / 2 * t + k) for k in (1, 3, 5, 7))
    return x


def test_a_high_voice_read_confidently_at_half_its_pitch_just_under_the_phone_bands_cut_is_lifted():
    # D5 (587 Hz) read at D4 (294 Hz) at confidence 0.85: D4's odd harmonics lie 20 dB under its 2nd (the
    # voice's fundamental); 294 Hz is under the weak bar's 300 Hz and 20 dB under the strong bar's 24 dB,
    # so main kept D4
    x = _voice(74.0, (1.0, 0.5, 0.3, 0.2), 20.0)
    note = NoteEvent(0.0, 0.6, 62.0, 0.85)
    assert 18.0 <= odd_partials_missing_db(note, x, SR) < 24.0
    assert lift_lag_floor_subharmonics([note], x, SR)[0].midi == 74.0
    # switched off, the note stays where the tracker read it
    assert lift_lag_floor_subharmonics([note], x, SR, passed_low_hz=None)[0].midi == 62.0


def test_a_sung_note_at_that_pitch_with_its_own_odd_harmonics_keeps_its_pitch():
    # a real D4 whose fundamental the band's low cut takes 6 dB off and whose 3rd stands 10 dB under its 2nd
    x = _voice(62.0, (0.5, 1.0, 0.32, 0.4, 0.15), None)
    note = NoteEvent(0.0, 0.6, 62.0, 0.85)
    assert lift_lag_floor_subharmonics([note], x, SR) == [note]


def test_a_low_note_whose_fundamental_the_band_cuts_still_needs_the_strong_bar():
    # A3 (220 Hz) with its odd harmonics 20 dB under its 2nd: under 250 Hz the channel takes the fundamental
    # and a back vowel's formant on 2f leaves the 3rd faint, so 20 dB is no proof of a voice at 440 Hz
    x = _voice(69.0, (1.0, 0.5, 0.3, 0.2), 20.0)
    note = NoteEvent(0.0, 0.6, 57.0, 0.85)
    assert lift_lag_floor_subharmonics([note], x, SR) == [note]


def test_a_confident_note_over_the_phone_bands_cut_still_needs_the_strong_bar():
    # E4 (330 Hz) read with its odd harmonics 20 dB under its 2nd: over 300 Hz a loudspeaker can take a sung
    # note's odd harmonics that far down, so a sure reading there keeps its pitch
    x = _voice(76.0, (1.0, 0.5, 0.3, 0.2), 20.0)
    note = NoteEvent(0.0, 0.6, 64.0, 0.85)
    assert 18.0 <= odd_partials_missing_db(note, x, SR) < 24.0
    assert lift_lag_floor_subharmonics([note], x, SR) == [note]
