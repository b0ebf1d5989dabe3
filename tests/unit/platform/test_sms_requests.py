"""What an SMS asks for: a style, a song length, "again" — and the seed of the new version."""
import pytest

from humitout.calls import sms_request, variation_seed
from humitout.models import Style


@pytest.mark.parametrize("body, expected", [
    ("Jazz", (Style.JAZZ, "normal")),
    ("3", (Style.JAZZ, "normal")),
    ("again", (None, "normal")),
    ("Short", (None, "short")),
    ("long please", None),
    ("again, longer", (None, "long")),
    ("hip hop long", (Style.HIP_HOP, "long")),
    ("rock short", (Style.ROCK, "short")),
    ("what is this?", None),
    ("", None),
])
def test_an_sms_asks_for_a_style_a_length_or_another_version(body, expected):
    assert sms_request(body) == expected


def test_each_sms_request_gets_its_own_seed_and_a_retry_the_same():
    assert variation_seed("SM1") == variation_seed("SM1") != variation_seed("SM2")
    assert 0 <= variation_seed("SM1") < 2 ** 32
