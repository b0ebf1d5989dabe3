import pytest
from twilio.request_validator import RequestValidator

from humitout.errors import BadAudio, caller_message, parse_error_code
from humitout.models import Style
from humitout.telephony import fetch_recording, public_url, signature_is_valid

TOKEN = "12345678901234567890123456789012"


def test_signature_is_checked_over_the_public_url_including_stage_and_query():
    url = public_url("https://abc.execute-api.us-east-1.amazonaws.com/prod", "/twilio/recording", "t=1&style=jazz")
    assert url == "https://abc.execute-api.us-east-1.amazonaws.com/prod/twilio/recording?t=1&style=jazz"
    form = {"CallSid": "CA1", "From": "+15551230000"}
    sig = RequestValidator(TOKEN).compute_signature(url, form)
    assert signature_is_valid(TOKEN, url, form, sig)
    assert not signature_is_valid(TOKEN, url.replace("/prod", ""), form, sig)  # stage path missing
    assert not signature_is_valid(TOKEN, url, {**form, "From": "+15550000000"}, sig)  # tampered body
    assert not signature_is_valid(TOKEN, url, form, None)


def test_recordings_are_only_fetched_from_allowed_hosts():
    with pytest.raises(BadAudio) as err:
        fetch_recording("https://evil.example.com/rec", ("api.twilio.com",), "AC1", TOKEN)
    assert err.value.code == "fetch_failed"
    with pytest.raises(BadAudio):  # plain http only for loopback
        fetch_recording("http://api.twilio.com/rec", ("api.twilio.com",), "AC1", TOKEN)


def test_failure_codes_map_to_helpful_sms():
    assert parse_error_code("silence: rms -70 dBFS") == "silence"
    assert parse_error_code("KeyError: 'x'") == "internal"
    assert "hum a little louder" in caller_message("no_melody")
    assert caller_message("unknown-code") == caller_message("internal")


@pytest.mark.parametrize("text,style", [("Jazz", Style.JAZZ), ("hip hop", Style.HIP_HOP), ("hiphop", Style.HIP_HOP),
                                        ("3", Style.JAZZ), ("6", Style.HIP_HOP), ("7", None), ("polka", None)])
def test_style_from_caller_text(text, style):
    assert Style.from_text(text) is style
