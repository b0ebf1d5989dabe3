"""The wide familiar check set of the rhythm bench (``rhythm_tunes.FAMILIAR_WIDE``): every tune's bars
add up, the spread of meters and pickups the set is meant to have, and the reference beats that
``familiar_wide`` lays under a sung tune."""
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import rhythm_tunes  # noqa: E402
from rhythm_tunes import BEAT_QUARTERS, BEATS_PER_BAR, FAMILIAR_WIDE, familiar_wide, parse_score  # noqa: E402


@pytest.mark.parametrize("name", sorted(FAMILIAR_WIDE))
def test_every_bar_holds_the_meter_and_a_pickup_is_completed_by_the_last_bar(name):
    meter, pickup_q, score = FAMILIAR_WIDE[name]
    bar_q = BEATS_PER_BAR[meter] * BEAT_QUARTERS[meter]
    bars = [sum(q for _, q in bar) for bar in parse_score(score)]
    body = bars[1:] if pickup_q else bars
    if pickup_q:
        assert bars[0] == pytest.approx(pickup_q), f"{name}: pickup bar {bars[0]} != {pickup_q}"
    for k, total in enumerate(body[:-1]):
        assert total == pytest.approx(bar_q), f"{name}: bar {k + 1} holds {total} quarters, not {bar_q}"
    assert body[-1] == pytest.approx(bar_q) or body[-1] == pytest.approx(bar_q - pickup_q), \
        f"{name}: last bar holds {body[-1]} quarters"
    assert parse_score(score)[0][0][0] not in ("-", None), "a tune starts with a sung note"


def test_the_set_has_its_spread_of_meters_and_pickups():
    meters = [m for m, _, _ in FAMILIAR_WIDE.values()]
    assert len(FAMILIAR_WIDE) >= 30
    assert meters.count("2/4") >= 6 and meters.count("6/8") >= 6 and meters.count("3/4") >= 8
    assert sum(1 for _, p, _ in FAMILIAR_WIDE.values() if p) * 3 >= len(FAMILIAR_WIDE)
    for name in FAMILIAR_WIDE:
        sung = [m for m, _ in rhythm_tunes.wide_pairs(name) if m is not None]
        assert 16 <= len(sung) <= 40, name


def test_an_eighth_pickup_in_six_eight_is_one_pickup_beat_and_the_notes_sit_on_the_dotted_quarters():
    tune = familiar_wide("greensleeves", 66.0)
    assert tune.meter == "6/8" and tune.pickup_beats == 1
    assert tune.beats[:3, 1].tolist() == [2, 1, 2]
    # the pickup eighth is the last third of the beat before the first downbeat
    assert tune.score_beats[0] == pytest.approx(2 / 3) and tune.score_beats[1] == pytest.approx(1.0)
    period = float(np.median(np.diff(tune.beats[:, 0])))
    assert period == pytest.approx(60 / 66, rel=0.08)
    first_downbeat = tune.beats[1, 0]
    assert abs(tune.notes[1, 0] - first_downbeat) < 0.04


def test_a_three_beat_pickup_puts_the_first_note_on_beat_two():
    tune = familiar_wide("when-the-saints", 100.0)
    assert tune.pickup_beats == 3 and tune.beats[:4, 1].tolist() == [2, 3, 4, 1]
    assert abs(tune.notes[0, 0] - tune.beats[0, 0]) < 0.04
    assert abs(tune.notes[3, 0] - tune.beats[3, 0]) < 0.04     # the long G on the first downbeat
