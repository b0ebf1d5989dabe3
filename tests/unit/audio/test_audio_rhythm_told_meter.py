"""A meter the caller names ("3/4", "waltz", "2/4"): the hum's beats and bars read again in it; and bar 1 moved ("shift")."""
import numpy as np
import pytest

from hum_synth import hum, perform, phone, wav_bytes
from humitout.audio.rhythm import analyse_rhythm, rhythm_in_meter
from humitout.audio.transcribe import analyse_recording, bars_moved, in_meter
from humitout.models import TimeSignature
from humitout.music.arrangement import hum_grid, melody_positions, shift_cycle_beats, shift_step_beats
from test_audio_rhythm import BIRTHDAY, MARY, POLKA

TWO_FOUR, THREE_FOUR = TimeSignature(numerator=2, denominator=4), TimeSignature(numerator=3, denominator=4)


def _notes(score, bpm):
    notes, _ = perform(score, bpm, seed=0)
    on, off, midi = (np.array(x) for x in zip(*notes))
    return on, off, midi, float(off.max()) + 0.5


@pytest.mark.parametrize("bpm", [66.0, 75.0])
def test_a_polka_read_in_four_four_at_its_eighths_told_two_four_is_two_four_at_its_quarters_with_its_bar_lines(bpm):
    notes = _notes(POLKA, bpm)
    own = analyse_rhythm(*notes)
    assert own.time_signature.text == "4/4" and own.quarter_bpm == pytest.approx(2 * bpm, rel=0.04)   # misread
    told = rhythm_in_meter(*notes, TWO_FOUR)
    assert told.time_signature == TWO_FOUR and told.meter_confidence == 1.0
    assert told.quarter_bpm == pytest.approx(bpm, rel=0.04)
    assert np.array_equal(told.downbeats_s, own.downbeats_s) and np.isin(told.beats_s, own.beats_s).all()


def test_a_four_four_song_told_three_four_gets_bars_of_three_of_its_own_beats():
    notes = _notes(MARY, 100.0)
    own = analyse_rhythm(*notes)
    told = rhythm_in_meter(*notes, THREE_FOUR)
    assert (own.time_signature.text, told.time_signature.text) == ("4/4", "3/4")
    assert told.quarter_bpm == pytest.approx(own.quarter_bpm, rel=0.02)
    bars = np.diff(told.downbeats_s) / np.median(np.diff(told.beats_s))
    assert np.allclose(bars, 3.0, atol=0.35)


def test_a_hum_told_the_meter_it_was_read_in_keeps_its_reading():
    notes = _notes(BIRTHDAY, 100.0)
    own, told = analyse_rhythm(*notes), rhythm_in_meter(*notes, THREE_FOUR)
    assert told.time_signature == own.time_signature == THREE_FOUR
    assert np.array_equal(told.beats_s, own.beats_s) and np.array_equal(told.downbeats_s, own.downbeats_s)
    assert told.pickup_beats == own.pickup_beats and told.meter_confidence == 1.0


def test_an_analysis_read_again_in_a_named_meter_keeps_its_notes_and_key():
    notes, _ = perform(MARY, 100.0, seed=0)
    analysis = analyse_recording(wav_bytes(phone(hum(notes, seed=0))))
    waltz = in_meter(analysis, THREE_FOUR)
    assert analysis.time_signature.text == "4/4" and waltz.time_signature == THREE_FOUR
    assert waltz.notes == analysis.notes and waltz.key == analysis.key
    assert waltz.meter_confidence == 1.0 and len(waltz.downbeats_s) > len(analysis.downbeats_s)
    assert in_meter(analysis, analysis.time_signature) is analysis


def test_too_few_notes_told_a_meter_give_a_steady_grid_in_that_meter():
    rhythm = rhythm_in_meter(np.array([0.5, 1.0]), np.array([0.9, 1.4]), np.array([60.0, 62.0]), 4.0,
                             TimeSignature(numerator=6, denominator=8))
    assert rhythm.time_signature.text == "6/8" and rhythm.meter_confidence == 1.0
    assert np.allclose(np.diff(rhythm.downbeats_s), 2 * np.diff(rhythm.beats_s)[0])


@pytest.mark.parametrize("score", [MARY, POLKA])
def test_a_hum_read_at_a_fast_beat_told_another_meter_is_counted_at_the_beat_nearer_the_tactus_middle(score):
    notes = _notes(score, 75.0 if score is POLKA else 150.0)
    own = analyse_rhythm(*notes)
    assert own.time_signature.text == "4/4" and own.quarter_bpm == pytest.approx(150.0, rel=0.04)
    told = rhythm_in_meter(*notes, THREE_FOUR)
    assert told.time_signature == THREE_FOUR and told.quarter_bpm == pytest.approx(75.0, rel=0.04)
    fast = rhythm_in_meter(*notes, THREE_FOUR, tactus_mid_bpm=150.0)   # a middle at the fast beat keeps it
    assert fast.time_signature == THREE_FOUR and fast.quarter_bpm == pytest.approx(150.0, rel=0.04)


def test_a_caller_moving_bar_one_a_beat_later_makes_the_first_note_a_beat_earlier_in_its_bar():
    notes, _ = perform(MARY, 100.0, seed=0)
    analysis = analyse_recording(wav_bytes(phone(hum(notes, seed=0))))
    first = np.array([min(n.onset_s for n in analysis.notes)])
    before = float(hum_grid(analysis).positions(first)[0])   # beats from the downbeat of the first note's bar
    moved = bars_moved(analysis, 1)
    after = float(hum_grid(moved).positions(first)[0])
    assert round(after) % 4 == (round(before) - 1) % 4
    assert moved.notes == analysis.notes and moved.beats_s == analysis.beats_s and moved.downbeat_confidence == 1.0
    assert moved.downbeats_s[0] > analysis.downbeats_s[0]
    assert bars_moved(analysis, 5) == moved and bars_moved(analysis, 4) is analysis   # four beats on: bar 1 again


def test_shift_goes_round_the_four_four_song_bar_of_a_two_four_hum_a_beat_at_a_time():
    # a 2/4 hum makes 4/4 song bars of two of its bars; "shift" must reach all four beats of the song's bar (moving
    # which of the hum's bars starts a song bar), not toggle between the two beats of the hum's
    notes, _ = perform(POLKA, 70.0, seed=0)
    analysis = in_meter(analyse_recording(wav_bytes(phone(hum(notes, seed=0)))), TWO_FOUR)
    cycle = shift_cycle_beats(analysis.time_signature)
    assert cycle == 4

    def first_song_beat(k):   # the first sung note's beat in its song bar after k shifts
        starts, _ = melody_positions(bars_moved(analysis, k, cycle_beats=cycle))
        return round(float(starts[0])) % 4
    heard = [first_song_beat(k) for k in range(5)]
    assert heard == [(heard[0] - k) % 4 for k in range(5)]   # bar 1 one beat later each time, round the bar
    moved = bars_moved(analysis, 2, cycle_beats=cycle)
    assert moved.pickup_beats >= 2 and moved.downbeats_s[0] > analysis.downbeats_s[0]   # the first 2/4 bar leads in
    assert bars_moved(analysis, 4, cycle_beats=cycle) is analysis


@pytest.mark.parametrize("meter", [TWO_FOUR, TimeSignature()])
def test_at_half_time_shift_moves_bar_one_a_song_beat_round_the_song_bar_never_half_a_beat(meter):
    # at half time a song beat is two of the hum's: "shift" moves bar 1 by two of them (one by one would put the
    # melody half a song beat off the bar lines) and goes round the eight of them in a song bar
    notes, _ = perform(POLKA, 70.0, seed=0)
    analysis = in_meter(analyse_recording(wav_bytes(phone(hum(notes, seed=0)))), meter)
    cycle, step = shift_cycle_beats(analysis.time_signature, 0.5), shift_step_beats(analysis.time_signature, 0.5)
    assert (cycle, step) == (8, 2)

    def first_song_beat(k):   # the first sung note's song beat after k shifts
        starts, _ = melody_positions(bars_moved(analysis, k * step, cycle_beats=cycle), 0.5)
        return float(starts[0]) % 4
    heard = [first_song_beat(k) for k in range(5)]
    assert heard == pytest.approx([(heard[0] - k) % 4 for k in range(5)], abs=1e-6)
    assert all(abs(b * 2 - round(b * 2)) < 1e-6 for b in heard)   # on the song's eighths, as sung


def test_a_shift_is_a_song_beat_in_the_hums_beats_round_a_song_bar_at_each_tempo_ratio():
    six_eight = TimeSignature(numerator=6, denominator=8)
    assert [shift_cycle_beats(TimeSignature(), r) for r in (1.0, 0.5, 2.0)] == [4, 8, 2]
    assert [shift_cycle_beats(TWO_FOUR, r) for r in (1.0, 0.5, 2.0)] == [4, 8, 2]
    assert [shift_cycle_beats(THREE_FOUR, r) for r in (1.0, 2.0)] == [3, 3]   # 1.5 beats a song bar: round its bar
    assert [shift_cycle_beats(six_eight, r) for r in (1.0, 2.0)] == [2, 1]
    assert [shift_step_beats(TimeSignature(), r) for r in (1.0, 0.5, 2.0)] == [1, 2, 1]
    assert shift_step_beats(six_eight) == 1
