"""What an SMS asks for: a style, a song length, a meter, "shift", "again" — and the seed of the new version."""
import pytest

from humitout.calls import sms_request, variation_seed
from humitout.models import Style, TimeSignature

WALTZ = TimeSignature(numerator=3, denominator=4)


@pytest.mark.parametrize("body, expected", [
    ("Jazz", (Style.JAZZ, "normal", None, False)),
    ("3", (Style.JAZZ, "normal", None, False)),
    ("again", (None, "normal", None, False)),
    ("Short", (None, "short", None, False)),
    ("long please", None),
    ("again, longer", (None, "long", None, False)),
    ("hip hop long", (Style.HIP_HOP, "long", None, False)),
    ("rock short", (Style.ROCK, "short", None, False)),
    ("waltz", (None, "normal", WALTZ, False)),
    ("3/4", (None, "normal", WALTZ, False)),
    ("jazz 6/8 long", (Style.JAZZ, "long", TimeSignature(numerator=6, denominator=8), False)),
    ("shift", (None, "normal", None, True)),
    ("Shift 3/4", (None, "normal", WALTZ, True)),
    ("jazz shift", (Style.JAZZ, "normal", None, True)),
    ("5/4", None),
    ("what is this?", None),
    ("", None),
])
def test_an_sms_asks_for_a_style_a_length_a_meter_a_bar_shift_or_another_version(body, expected):
    assert sms_request(body) == expected


def test_each_sms_request_gets_its_own_seed_and_a_retry_the_same():
    assert variation_seed("SM1") == variation_seed("SM1") != variation_seed("SM2")
    assert 0 <= variation_seed("SM1") < 2 ** 32
