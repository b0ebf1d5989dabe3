"""The transcription bench's tempo reference (``tests/bench/bench_transcribe.py``): an item's
``tempo_bpm`` counts the quarter notes of its notation, but a meter's denominator is not audible, so
the reference is the notated beat's rate in the note value the analysis writes it as."""
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

_HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(_HERE / "audio"))
from hum_synth import hum, perform, phone, tune, wav_bytes  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_transcribe", _HERE.parent / "bench" / "bench_transcribe.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

C, D, E, F, G, A, B = 48, 50, 52, 53, 55, 57, 59
# a hymn notated in 3/2 (lengths in quarters): halves, quarter pairs, a dotted whole at each phrase end
HYMN_3_2 = tune([(C, 2), (E, 2), (G, 2), (A, 2), (G, 1), (F, 1), (E, 2), (D, 2), (E, 2), (F, 2), (E, 6),
                 (G, 2), (A, 2), (B, 2), (60, 2), (B, 1), (A, 1), (G, 2), (A, 2), (G, 1), (F, 1), (E, 2), (D, 6),
                 (C, 2), (E, 2), (G, 2), (A, 2), (G, 1), (F, 1), (E, 2), (D, 4), (C, 2), (C, 6)])


@pytest.mark.parametrize("meter,quarter_bpm", [("2/4", 100.0), ("4/4", 100.0), ("C", 100.0), ("3/4", 100.0),
                                               ("6/8", 100.0), ("9/8", 100.0), ("3/2", 50.0), ("4/2", 50.0),
                                               ("2/2", 50.0), ("C|", 50.0), ("6/4", 50.0), ("3/8", 200.0),
                                               ("none", 100.0), (None, 100.0)])
def test_the_reference_is_the_notated_beat_written_as_a_quarter_or_a_dotted_quarter(meter, quarter_bpm):
    assert bench.reference_quarter_bpm({"tempo_bpm": 100.0, "source": {"meter": meter}}) == pytest.approx(quarter_bpm)


@pytest.mark.parametrize("bpm,seed", [(100.0, 0), (120.0, 1)])
def test_a_hummed_three_two_hymn_counted_in_its_half_notes_has_the_reference_tempo(bpm, seed):
    # the hum is the sound of 3/4 at half the quarter tempo: the analysis counts its half notes (3/4 at bpm / 2),
    # which the bench scored as a miss (x1/2) against the notation's quarters
    notes, _ = perform(HYMN_3_2, bpm, seed=seed)
    from humitout.audio.transcribe import analyse_recording
    analysis = analyse_recording(wav_bytes(phone(hum(notes, seed=seed))))
    meta = {"tempo_bpm": bpm, "source": {"meter": "3/2"}}
    ref = bench.reference_quarter_bpm(meta)
    assert analysis.time_signature.text == "3/4"
    assert abs(analysis.tempo_bpm - ref) <= bench.TEMPO_TOL * ref
    assert not abs(analysis.tempo_bpm - bpm) <= bench.TEMPO_TOL * bpm
    assert np.isclose(ref, bpm / 2)


def test_the_stress_bench_fails_when_a_channel_is_not_heard_or_a_clean_line_is_given_a_reading():
    from types import SimpleNamespace

    from humitout.models import CallQuality

    def shares(*calls):   # the analyses of a set's calls, each heard as ``calls[i]``
        analyses = {str(i): SimpleNamespace(call=CallQuality(conditions=c)) for i, c in enumerate(calls)}
        return {"call": bench.call_readings(analyses)}
    heard = {"clean": shares([], [], [], [], [], [], [], [], [], ["room_echo"]),      # one call in ten
             "babble": shares(["background_voices"], ["background_voices"], []),
             "speaker": shares(["room_echo"], [])}
    assert bench.call_reading_table(heard) == 0
    assert bench.call_reading_table({**heard, "babble": shares(["background_voices"], [], [])}) == 1
    assert bench.call_reading_table({**heard, "gsm": shares(["room_echo"], [])}) == 1
