"""6/8 and 2/4 hums on the arrangement's bar machinery: 6/8 in bars of three quarter notes written
6/8, 2/4 in 4/4 bars of two hum bars; notes at their bar positions from the hum's downbeats."""
from humitout.agents.compose import compose_arrangement
from humitout.models import Style, TimeSignature
from humitout.music.arrangement import meter_beats, quantise_melody

# (MIDI, start, length) in quarter notes: a jig, q. q e | q. e e e | ... (6/8)
JIG = [(67, 0, 1.5), (69, 1.5, 1), (71, 2.5, .5), (72, 3, 1.5), (74, 4.5, .5), (72, 5, .5), (71, 5.5, .5),
       (69, 6, 1.5), (71, 7.5, 1), (69, 8.5, .5), (67, 9, 1.5), (74, 10.5, 1.5)]


def _with_grid(analysis, signature, beat_quarters, downbeat_every, first_downbeat=0):
    period = 60.0 / analysis.tempo_bpm * beat_quarters
    start = analysis.notes[0].onset_s - 0.01
    beats = [start + i * period for i in range(int((analysis.duration_s - start) / period) + 1)]
    return analysis.model_copy(update={"time_signature": signature, "beats_s": beats,
                                       "downbeats_s": beats[first_downbeat::downbeat_every]})


def test_a_jig_is_arranged_in_six_eight_bars_of_three_quarters(make_hum):
    jig = _with_grid(make_hum(JIG, tempo_bpm=150.0), TimeSignature(numerator=6, denominator=8), 1.5, 2)
    assert meter_beats(jig) == 3
    assert [n.start_beat for n in quantise_melody(jig)] == [s for _, s, _ in JIG]
    arrangement = compose_arrangement(jig, Style.ACOUSTIC)
    assert arrangement.time_signature.text == "6/8"
    assert arrangement.tempo_bpm == 150.0
    assert arrangement.melody_offset_beats % 3 == 0


def test_a_two_four_hum_with_a_pickup_sits_in_four_four_bars_with_its_first_full_bar_on_a_downbeat(make_hum):
    tune = [(60, 0, 1), (62, 1, .5), (64, 1.5, .5), (65, 2, 1), (67, 3, 1), (65, 4, .5), (64, 4.5, .5),
            (62, 5, 1), (60, 6, 2)]
    hum = _with_grid(make_hum(tune, tempo_bpm=120.0), TimeSignature(numerator=2, denominator=4), 1.0, 2,
                     first_downbeat=1)                       # the first note is a one-beat pickup
    melody = quantise_melody(hum)
    assert melody[0].start_beat == 3.0                       # the pickup on beat 4 of the first song bar
    assert melody[1].start_beat == 4.0                       # the first downbeat on beat 1 of the next
    assert [n.start_beat for n in quantise_melody(hum.model_copy(update={"downbeats_s": hum.beats_s[0::2]}))][:2] \
        == [0.0, 1.0]                                        # read without a pickup: the first note starts bar 1
    arrangement = compose_arrangement(hum, Style.POP)
    assert arrangement.time_signature.text == "4/4"


def test_a_hum_with_a_pickup_in_a_song_at_half_its_tempo_has_its_first_full_bar_on_a_downbeat(make_hum):
    tune = [(67, 0, 1), (72, 1, 1), (71, 2, 1), (72, 3, 1), (74, 4, 2), (72, 6, 1), (71, 7, 1), (72, 8, 4)]
    hum = _with_grid(make_hum(tune, tempo_bpm=150.0), TimeSignature(), 1.0, 4, first_downbeat=1)
    halved = quantise_melody(hum, beat_ratio=0.5)             # each song bar holds two of the hum's bars
    assert [n.start_beat for n in halved][:2] == [3.5, 4.0]  # the pickup ends song bar 1, bar 1 starts song bar 2
    assert [n.start_beat for n in quantise_melody(hum)][:2] == [3.0, 4.0]   # at its own tempo: as always
