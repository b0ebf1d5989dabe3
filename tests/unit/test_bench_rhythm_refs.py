"""The held-out stand-in's beat references (``tests/bench/rhythm_refs.py``): score beats mapped to
sung seconds through the performed onsets, bars read from the notation. Needs only numpy."""
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

_PATH = Path(__file__).resolve().parents[1] / "bench" / "rhythm_refs.py"
_spec = importlib.util.spec_from_file_location("rhythm_refs", _PATH)
refs = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("rhythm_refs", refs)
_spec.loader.exec_module(refs)


def test_a_sung_pickup_and_rubato_put_each_beat_on_its_note_or_between_the_onsets():
    # 3/4 with a one-beat pickup, sung with rubato (slower in bar 2, then slower again)
    bars = refs.bars_from_measures([(0.0, 1.0, "3/4"), (1.0, 3.0, "3/4"), (4.0, 3.0, "3/4"), (7.0, 2.0, "3/4")])
    note_ql = np.array([0.0, 1.0, 2.0, 3.5, 4.0, 5.5, 7.0])
    onset_s = np.array([0.50, 1.00, 1.55, 2.40, 2.70, 3.60, 4.60])
    ref = refs.reference_beats(bars, note_ql, 8.0, onset_s)
    assert ref.pickup_beats == 1
    assert ref.meter == "3/4"
    assert list(ref.in_bar) == [3, 1, 2, 3, 1, 2, 3, 1, 2]
    # beats on a note are its onset; beats between notes are interpolated in score time
    expected = [0.50, 1.00, 1.55, 1.55 + 0.85 / 1.5, 2.70, 2.70 + 0.9 / 1.5, 3.60 + 0.5 / 1.5 * 1.0, 4.60]
    np.testing.assert_allclose(ref.times_s[:8], expected, atol=1e-9)
    # after the last onset: the tempo of the last three beats (from the note at beat 4 to the last)
    np.testing.assert_allclose(ref.times_s[8], 4.60 + (4.60 - 2.70) / 3.0, atol=1e-9)
    assert ref.notes_on_beats == 5
    assert ref.irregular_bars == 0


def test_a_pickup_beat_before_zero_seconds_is_left_out_but_still_counted():
    bars = refs.bars_from_measures([(0.0, 0.5, "2/4"), (0.5, 2.0, "2/4"), (2.5, 2.0, "2/4")])
    ref = refs.reference_beats(bars, np.array([0.0, 0.5, 1.5, 2.5]), 3.5, np.array([0.1, 0.4, 1.0, 1.6]))
    assert ref.pickup_beats == 1
    assert list(ref.in_bar) == [1, 2, 1, 2]
    np.testing.assert_allclose(ref.times_s, [0.4, 1.0, 1.6, 1.6 + 0.6], atol=1e-9)
    assert ref.beat_bpm == pytest.approx(100.0)


def test_compound_meters_beat_in_dotted_quarters_and_half_note_meters_in_halves():
    assert refs.meter_beat("6/8") == (1.5, 2)
    assert refs.meter_beat("9/8") == (1.5, 3)
    assert refs.meter_beat("2/2") == (2.0, 2)
    assert refs.meter_beat("C") == (1.0, 4)
    assert refs.meter_beat("3/8") == (0.5, 3)
    grid, in_bar = refs.beat_grid(refs.bars_from_measures([(0.0, 3.0, "6/8"), (3.0, 3.0, "6/8")]), 6.0)
    assert list(grid) == [0.0, 1.5, 3.0, 4.5, 6.0] and list(in_bar) == [1, 2, 1, 2, 1]


def test_a_one_beat_bar_lengthens_the_bar_before_and_split_endings_make_one_bar():
    measures = [(0.0, 3.0, "3/4"), (3.0, 1.0, "1/4"), (4.0, 3.0, "3/4"),    # a 4-beat bar in a 3/4 song
                (7.0, 1.0, "3/4"), (8.0, 2.0, "3/4"), (10.0, 3.0, "3/4")]   # a bar split by a repeat sign
    bars = refs.bars_from_measures(measures)
    assert [(b.start_ql, b.length_ql, b.irregular) for b in bars] == [
        (0.0, 4.0, True), (4.0, 3.0, False), (7.0, 3.0, False), (10.0, 3.0, False)]
    _, in_bar = refs.beat_grid(bars, 12.0)
    assert list(in_bar) == [1, 2, 3, 4, 1, 2, 3, 1, 2, 3, 1, 2, 3]


def test_the_opening_meters_beat_runs_through_a_bar_of_another_meter():
    # a 3/2 bar in a 2/4 song keeps the quarter beat: six beats, one irregular bar
    bars = refs.bars_from_measures([(0.0, 2.0, "2/4"), (2.0, 6.0, "3/2"), (8.0, 2.0, "2/4")])
    note_ql = np.arange(0.0, 10.0, 1.0)
    ref = refs.reference_beats(bars, note_ql, 10.0, 0.5 + 0.6 * note_ql)
    assert list(ref.in_bar) == [1, 2, 1, 2, 3, 4, 5, 6, 1, 2, 1]
    assert ref.irregular_bars == 1 and ref.meters == ["2/4", "3/2"]
    assert ref.beat_bpm == pytest.approx(100.0)


def _bench_rhythm():
    path = Path(__file__).resolve().parents[1] / "bench" / "bench_rhythm.py"
    spec = importlib.util.spec_from_file_location("bench_rhythm", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not (refs.BENCH / "score_rhythm.py").exists(), reason="no shared bench under shared/")
def test_the_rhythm_bench_reads_another_corpus_set_with_its_collections(tmp_path):
    bench = _bench_rhythm()
    d = tmp_path / "heldout"
    d.mkdir()
    (d / "heldout_000.wav").write_bytes(b"RIFF")
    (d / "heldout_000.notes.csv").write_text("onset,offset,midi_pitch\n0.5,0.9,60\n1.0,1.4,62\n")
    (d / "heldout_000.beats.csv").write_text("time_s,beat_in_bar\n0.5000,2\n1.0000,1\n1.5000,2\n")
    (d / "heldout_000.json").write_text('{"id": "heldout_000", "source": {"collection": "oneills-1850"}}')
    (d / "beats_index.csv").write_text(",".join(refs.INDEX_FIELDS) + "\n"
                                       "heldout_000,2/4,2,1,1.0,2/4,1.0,3,1,120.0,0,2/4,2,2,\n")
    [item] = bench.corpus_items(None, tmp_path, "heldout")
    assert item["group"] == "oneills-1850"
    assert item["pickup"] == 1 and item["ref"]["meter_class"] == "2/4"
    np.testing.assert_allclose(item["ref"]["downbeats"], [1.0])


def test_beats_carried_to_another_performance_follow_its_onsets_and_restore_a_pickup_lost_before_zero():
    # 2/4, one pickup beat that the first performance lost before 0 s; beats every 0.4 s there
    beats = np.array([[0.2, 1], [0.6, 2], [1.0, 1], [1.4, 2], [1.8, 1], [2.2, 2]])
    src = np.array([0.2, 0.6, 1.0, 1.8])
    dst = np.array([1.0, 1.5, 2.1, 3.1])          # sung again later and slower, unevenly
    out = refs.mapped_beats(beats, 1, src, dst)
    assert list(out[:, 1]) == [2, 1, 2, 1, 2, 1, 2]
    head = (3.1 - 1.0) / (1.8 - 0.2)              # tempo of the first three beats' notes
    tail = (3.1 - 1.5) / (1.8 - 0.6)              # and of the last three
    np.testing.assert_allclose(out[:, 0], [1.0 - 0.4 * head, 1.0, 1.5, 2.1, 2.6, 3.1, 3.1 + 0.4 * tail], atol=1e-9)
    # sung earlier: the restored pickup falls before 0 s and is left out again
    early = refs.mapped_beats(beats, 1, src, src - 0.1)
    np.testing.assert_allclose(early[:, 0], beats[:, 0] - 0.1, atol=1e-9)
    assert list(early[:, 1]) == list(beats[:, 1])


def test_carrying_beats_between_performances_of_different_note_counts_is_refused():
    with pytest.raises(ValueError):
        refs.mapped_beats(np.array([[0.0, 1], [0.5, 2]]), 0, np.array([0.0, 0.5, 1.0]), np.array([0.0, 0.5]))
