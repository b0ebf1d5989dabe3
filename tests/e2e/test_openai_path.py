"""With an OpenAI key the same pipeline asks Whisper for lyrics and lets the agents consult the
LLM — here a local stand-in speaking OpenAI's protocol, so the production code path runs."""
import io
import json
import zipfile

import pytest

from e2e_helpers import call_and_wait, get, link_in, page_links
from humitout_infra.local.openai_standin import OpenAIStandIn

LYRICS = "Walking down the river in the morning light"


@pytest.fixture
def openai_standin(stack):
    standin = OpenAIStandIn("sk-local-test", transcript=LYRICS).start()
    stack.configure({"OPENAI_API_KEY": standin.api_key, "OPENAI_BASE_URL": standin.base_url,
                     "HUMITOUT_LLM_TIMEOUT_S": "10"})
    yield standin
    stack.configure({"OPENAI_API_KEY": None, "OPENAI_BASE_URL": None, "HUMITOUT_LLM_TIMEOUT_S": None})
    standin.stop()


def test_whisper_lyrics_reach_the_package_and_the_agents_consult_the_llm(openai_standin, stack, svc, new_caller,
                                                                        sample_hum):
    caller = new_caller()
    _, desc, sms = call_and_wait(stack, caller, sample_hum, style_digit="2")
    assert desc["status"] == "SUCCEEDED"
    paths = openai_standin.paths()
    assert paths.count("/v1/audio/transcriptions") == 1
    assert paths.count("/v1/chat/completions") >= 4  # one turn per agent

    links = page_links(get(link_in(sms.body)).text)
    assert LYRICS in get(links["lyrics.txt"]).text
    package = zipfile.ZipFile(io.BytesIO(get(links["download-package.zip"]).content))
    lead_sheet = package.read(next(n for n in package.namelist() if n.endswith(".musicxml"))).decode()
    assert "<lyric" in lead_sheet and "Walking" in lead_sheet

    token = link_in(sms.body).rsplit("/", 1)[1]
    track = svc.db.resolve_share_link(token)
    arrangement = svc.storage.get_json(track["file_keys"]["metadata"].replace("metadata.json", "arrangement.json"))
    # The stand-in's chat answers are not the JSON the agents need: each agent falls back to
    # the rules and says so, and the track is still made.
    assert {d["agent"] for d in arrangement["rationale"]} >= {"MusicAnalyst", "GenreSpecialist", "ChordComposer",
                                                             "ArrangementDirector"}
    assert all(d["source"] == "rules" for d in arrangement["rationale"])
    assert any("LLM" in d["reason"] or "llm" in d["reason"].lower() for d in arrangement["rationale"]), \
        json.dumps(arrangement["rationale"], indent=1)
    assert svc.db.get_session(str(track["session_id"]))["lyrics"] == LYRICS
