"""What an SMS asks for: a style, a song length, a meter, "shift", "half"/"double", "again" — and the seed of the new
version."""
import pytest

from humitout.calls import sms_request, variation_seed
from humitout.models import Style, TimeSignature

WALTZ = TimeSignature(numerator=3, denominator=4)


@pytest.mark.parametrize("body, expected", [
    ("Jazz", (Style.JAZZ, "normal", None, 0, 1.0)),
    ("3", (Style.JAZZ, "normal", None, 0, 1.0)),
    ("again", (None, "normal", None, 0, 1.0)),
    ("Short", (None, "short", None, 0, 1.0)),
    ("long please", None),
    ("again, longer", (None, "long", None, 0, 1.0)),
    ("hip hop long", (Style.HIP_HOP, "long", None, 0, 1.0)),
    ("rock short", (Style.ROCK, "short", None, 0, 1.0)),
    ("waltz", (None, "normal", WALTZ, 0, 1.0)),
    ("3/4", (None, "normal", WALTZ, 0, 1.0)),
    ("jazz 6/8 long", (Style.JAZZ, "long", TimeSignature(numerator=6, denominator=8), 0, 1.0)),
    ("shift", (None, "normal", None, 1, 1.0)),
    ("Shift 3/4", (None, "normal", WALTZ, 1, 1.0)),
    ("jazz shift", (Style.JAZZ, "normal", None, 1, 1.0)),
    ("shift back", (None, "normal", None, -1, 1.0)),
    ("half", (None, "normal", None, 0, 0.5)),
    ("Half time", (None, "normal", None, 0, 0.5)),
    ("double-time jazz", (Style.JAZZ, "normal", None, 0, 2.0)),
    ("3/4 double", (None, "normal", WALTZ, 0, 2.0)),
    ("Slower please", None),
    ("slower", (None, "normal", None, 0, 0.5)),
    ("rock faster", (Style.ROCK, "normal", None, 0, 2.0)),
    ("time", None),
    ("back", None),
    ("5/4", None),
    ("what is this?", None),
    ("", None),
])
def test_an_sms_asks_for_a_style_a_length_a_meter_a_bar_shift_a_beat_speed_or_another_version(body, expected):
    assert sms_request(body) == expected


def test_each_sms_request_gets_its_own_seed_and_a_retry_the_same():
    assert variation_seed("SM1") == variation_seed("SM1") != variation_seed("SM2")
    assert 0 <= variation_seed("SM1") < 2 ** 32
