"""Melody placement on a rubato hum: each sung note at its metrical position even when the singer
drifts in tempo, attacks early or late and the beat tracker's beats are a little off; the melody
guide and the lead sheet then write the tune's own note values (no spurious syncopation or ties)."""
import numpy as np
from music21.harmony import ChordSymbol

from humitout.agents.compose import compose_arrangement
from humitout.models import Note, Style, TimeSignature
from humitout.music.arrangement import HumGrid, place_onsets, quantise_melody, time_map
from humitout.music.leadsheet import _split_by_beat, build_score

# (MIDI, start, length) in quarter notes. 4/4 with a two-eighth pickup (beat 4 of the first bar):
# eighths, dotted quarter + eighth, halves and a held last note.
FOUR_FOUR = [(60, 3.0, .5), (62, 3.5, .5), (64, 4, 1), (64, 5, .5), (65, 5.5, .5), (67, 6, 1.5), (65, 7.5, .5),
             (64, 8, 1), (62, 9, 1), (60, 10, 2), (62, 12, .5), (64, 12.5, .5), (65, 13, 1), (67, 14, 2),
             (69, 16, 1.5), (67, 17.5, .5), (65, 18, 1), (64, 19, 1), (62, 20, 1), (60, 21, 3)]
# 6/8 in quarter notes (a dotted-quarter beat = 1.5): q. | q e | q. q. | e e e q. ...
JIG = [(67, 0, 1.5), (69, 1.5, 1), (71, 2.5, .5), (72, 3, 1.5), (74, 4.5, .5), (72, 5, .5), (71, 5.5, .5),
       (69, 6, 1.5), (71, 7.5, 1), (69, 8.5, .5), (67, 9, 1.5), (74, 10.5, 1.5)]


def _sung(make_hum, score, *, signature, bpm, rubato=0.12, attack_s=0.06, tracker_s=0.025, seed=3,
          first_downbeat_quarter=0.0):
    """A hum of ``score`` (quarter notes) sung with a smooth tempo wander of +-``rubato``, attacks
    up to ``attack_s`` early or late, each note released a little before the next one, and
    tracked beats (of the signature's beat) up to ``tracker_s`` off the sung ones."""
    rng = np.random.default_rng(seed)
    beat_q = signature.quarters_per_beat
    end_q = max(s + d for _, s, d in score) + 2 * beat_q
    n_beats = int(np.ceil(end_q / beat_q)) + 1
    period = 60.0 / bpm * beat_q
    wander = np.sin(np.linspace(0, 3 * np.pi, n_beats) + 0.7)
    beat_times = 0.5 + np.r_[0.0, np.cumsum(period * (1 + rubato * wander))][:n_beats]

    def at(quarters):
        return float(np.interp(quarters / beat_q, np.arange(n_beats), beat_times))
    notes = [Note(onset_s=at(s) + float(rng.uniform(-attack_s, attack_s)), offset_s=at(s + d) - 0.05,
                  midi=p + 0.1, confidence=0.9) for p, s, d in score]
    tracked = beat_times + rng.uniform(-tracker_s, tracker_s, n_beats)
    per_bar = signature.beats_per_bar
    first = int(round(first_downbeat_quarter / beat_q))
    analysis = make_hum(score, tempo_bpm=bpm)
    return analysis.model_copy(update={
        "notes": notes, "beats_s": [float(t) for t in tracked], "downbeats_s": [float(t) for t in tracked[first::per_bar]],
        "time_signature": signature, "duration_s": float(beat_times[-1]) + 0.5,
        "tempo_bpm": 60.0 * beat_q * (n_beats - 1) / float(tracked[-1] - tracked[0])})


def _melody_as_written(arrangement, count):
    """(offset from the verse start, quarter length, tied) of the first ``count`` written melody notes."""
    score = build_score(arrangement)
    verse = arrangement.melody_offset_beats
    written = [(float(n.getOffsetInHierarchy(score)) - verse, float(n.quarterLength), n.tie is not None)
               for n in score.recurse().notes if not isinstance(n, ChordSymbol)]
    return [w for w in written if w[0] >= -1e-6][:count]


def test_a_rubato_hum_with_early_and_late_attacks_lands_on_its_metrical_positions(make_hum):
    hum = _sung(make_hum, FOUR_FOUR, signature=TimeSignature(numerator=4), bpm=96.0, first_downbeat_quarter=4.0)
    melody = quantise_melody(hum)
    assert [(n.start_beat, n.duration_beats) for n in melody] == [(s, d) for _, s, d in FOUR_FOUR]


def test_the_lead_sheet_writes_the_placed_notes_with_their_own_values_and_no_ties(make_hum):
    hum = _sung(make_hum, FOUR_FOUR, signature=TimeSignature(numerator=4), bpm=96.0, first_downbeat_quarter=4.0)
    arrangement = compose_arrangement(hum, Style.ACOUSTIC)
    ratio = min((1.0, 2.0, 0.5), key=lambda r: abs(arrangement.tempo_bpm / hum.tempo_bpm - r))
    expected = [(s * ratio, d * ratio, False) for _, s, d in FOUR_FOUR]
    written = _melody_as_written(arrangement, len(FOUR_FOUR))
    if ratio == 1.0:   # at the hum's own speed the written values are the tune's
        assert written[:-1] == expected[:-1]
    assert [w[0] for w in written] == [e[0] for e in expected]
    assert not any(tied for _, _, tied in written[:-1])


def test_a_six_eight_hum_with_rubato_is_written_in_dotted_quarter_beats_without_ties(make_hum):
    six_eight = TimeSignature(numerator=6, denominator=8)
    hum = _sung(make_hum, JIG, signature=six_eight, bpm=140.0, rubato=0.1, attack_s=0.03)
    melody = quantise_melody(hum)
    assert [(n.start_beat, n.duration_beats) for n in melody] == [(s, d) for _, s, d in JIG]
    arrangement = compose_arrangement(hum, Style.ACOUSTIC)
    assert arrangement.time_signature.text == "6/8"
    written = _melody_as_written(arrangement, len(JIG))
    if abs(arrangement.tempo_bpm / hum.tempo_bpm - 1.0) < 1e-3:
        assert written[:-1] == [(s, d, False) for _, s, d in JIG][:-1]


def test_six_eight_notes_are_spelled_by_dotted_quarter_beats():
    assert _split_by_beat(1.5, 1.0, 3, beat_quarters=1.5) == [1.0]          # q on the 2nd beat: no tie
    assert _split_by_beat(0.5, 1.5, 3, beat_quarters=1.5) == [1.0, 0.5]     # across the beat: tied
    assert _split_by_beat(1.5, 1.0, 3) == [0.5, 0.5]                        # the same in 3/4 shows beat 3


def test_a_beat_the_tracker_placed_late_does_not_make_an_early_attack_a_sixteenth():
    beats = [0.0, 0.5, 1.0, 1.62, 2.0, 2.5, 3.0]            # beat 3 tracked 120 ms late
    grid = HumGrid(beats_s=beats, bar_start=0.0, beats_per_bar=4, quarters_per_beat=1.0, subdivisions=4,
                   beat_bpm=120.0)
    onsets = np.array([0.0, 0.25, 0.5, 1.0, 1.5, 1.75, 2.0, 2.5])   # eighths sung on the steady beat
    assert list(place_onsets(onsets, grid)) == [0.0, 0.5, 1.0, 2.0, 3.0, 3.5, 4.0, 5.0]


def test_a_note_the_transcription_split_in_two_is_one_note_of_the_melody_guide():
    grid = HumGrid(beats_s=[0.0, 0.6, 1.2, 1.8, 2.4], bar_start=0.0, beats_per_bar=4, quarters_per_beat=1.0,
                   subdivisions=4, beat_bpm=100.0)
    onsets = np.array([0.0, 0.6, 0.68, 1.2, 1.8])            # the note on beat 2 re-attacked 80 ms in
    placed = place_onsets(onsets, grid)
    assert list(placed) == [0.0, 1.0, 1.0, 2.0, 3.0]


def test_the_hum_time_map_puts_every_sung_onset_on_its_melody_guide_position(make_hum):
    hum = _sung(make_hum, FOUR_FOUR, signature=TimeSignature(numerator=4), bpm=96.0, first_downbeat_quarter=4.0)
    points = time_map(hum)
    assert all(b[0] > a[0] and b[1] > a[1] for a, b in zip(points, points[1:]))
    on_song = dict(points)
    starts = [n.start_beat for n in quantise_melody(hum)]
    assert [on_song[n.onset_s] for n in sorted(hum.notes, key=lambda n: n.onset_s)] == starts


def test_a_first_note_sung_early_on_the_downbeat_starts_the_first_bar(make_hum):
    tune = [(60, 0, 1), (62, 1, 1), (64, 2, .5), (65, 2.5, .5), (67, 3, 1), (65, 4, 2), (64, 6, 2)]
    hum = make_hum(tune, tempo_bpm=100.0)
    notes = [n.model_copy(update={"onset_s": n.onset_s - (0.1 if i == 0 else 0.0)}) for i, n in enumerate(hum.notes)]
    hum = hum.model_copy(update={"notes": notes, "downbeats_s": hum.beats_s[::4]})
    assert [n.start_beat for n in quantise_melody(hum)] == [s for _, s, _ in tune]
