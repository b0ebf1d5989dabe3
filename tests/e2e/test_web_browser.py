"""The web app in a real browser (Debian's chromium + chromedriver, headless): sign in, see the
history, open a track, play it (currentTime advances), mute a stem in the Web Audio mixer,
download a file, make a new version and watch its progress until it is ready, open the SMS
link signed out, and download with JavaScript off. Screenshots at
390x844 and 1440x900 go to out/screenshots/ (paths printed); so do page weight and time to
first audio, measured on this machine."""
import json
import shutil
import threading
import time
from pathlib import Path

import pytest

from e2e_helpers import Caller, call_and_wait
from web_client import signed_up

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
MOBILE, DESKTOP = (390, 844), (1440, 900)

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="needs Debian's chromium and chromium-driver (./dev setup installs them)")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--mute-audio",
                "--autoplay-policy=no-user-gesture-required", "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    yield driver
    driver.quit()


def _size(driver, width_height) -> None:
    width, height = width_height
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def _shot(driver, name: str, report: list[str]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    report.append(f"screenshot: {path}")


def _wait(driver, script: str, timeout_s: float = 30, what: str = ""):
    deadline = time.monotonic() + timeout_s
    while True:
        value = driver.execute_script(script)
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what or script}"
        time.sleep(0.1)


def _transferred_bytes(driver) -> dict[str, int]:
    """Bytes the browser received since the last call (Chrome's performance log), by kind:
    ``page`` (HTML, CSS, JS, images), ``player`` (the <audio> element's stream), ``stems``."""
    urls, received, finished = {}, {}, {}
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params, rid = message["params"], message["params"].get("requestId")
        if message["method"] == "Network.responseReceived":
            urls[rid] = (params["response"]["url"], params["type"])
        elif message["method"] == "Network.dataReceived":  # a media stream may still be open
            received[rid] = received.get(rid, 0) + int(params.get("encodedDataLength") or params.get("dataLength", 0))
        elif message["method"] == "Network.loadingFinished":
            finished[rid] = int(params.get("encodedDataLength", 0))
    totals = {"page": 0, "player": 0, "stems": 0}
    for rid, (url, kind) in urls.items():
        key = "stems" if "/stems/" in url or "your-hum" in url else ("player" if kind == "Media" else "page")
        totals[key] += finished[rid] if rid in finished else received.get(rid, 0)
    return totals


def test_sign_in_play_mix_download_and_watch_a_new_version_finish(stack, svc, sample_hum, browser, capsys):
    from selenium.webdriver.common.by import By

    account = signed_up(svc, stack)
    _, desc, _ = call_and_wait(stack, Caller(account.phone, account.pin, account.user_id), sample_hum,
                               style_digit="1")
    assert desc["status"] == "SUCCEEDED"
    report: list[str] = []
    d = browser
    _size(d, MOBILE)

    # sign in
    d.get(stack.gateway.url + "/app")
    assert d.current_url.endswith("/app/signin")
    _shot(d, "signin-390x844", report)
    d.find_element(By.ID, "phone").send_keys(account.phone)
    d.find_element(By.ID, "pin").send_keys(account.pin)
    d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    _wait(d, "return document.querySelector('.hum') !== null", what="the history")
    assert d.find_element(By.CSS_SELECTOR, ".hum .badge").text == "Ready"
    assert "Pop" in d.find_element(By.CSS_SELECTOR, ".hum .facts").text or "pop" in d.page_source
    _shot(d, "history-390x844", report)

    # open the track and play it
    d.get_log("performance")
    d.find_element(By.CSS_SELECTOR, ".hum h2 a").click()
    _wait(d, "return document.getElementById('play') && !document.getElementById('transport').hidden",
          what="the player")
    track_id = d.current_url.rsplit("/", 1)[1]
    d.execute_script("document.getElementById('play').dataset.clicked = performance.now()")
    d.find_element(By.ID, "play").click()
    _wait(d, "return window.hio.audio.currentTime > 0.5", what="currentTime to advance")
    first_audio_ms = d.execute_script("return window.hio.firstAudioMs")
    clicked_ms = float(d.execute_script("return document.getElementById('play').dataset.clicked"))
    _wait(d, "return window.hio.mixer.ready", 60, "the stems to load")
    time.sleep(0.5)
    weight = _transferred_bytes(d)
    t1 = d.execute_script("return window.hio.audio.currentTime")
    time.sleep(0.6)
    assert d.execute_script("return window.hio.audio.currentTime") > t1  # still playing, now through the mixer

    # mute the drums: its gain goes to 0, the others stay at 1
    d.find_element(By.CSS_SELECTOR, '.channel[data-name="drums"] .mute').click()
    _wait(d, "return window.hio.mixer.gainOf('drums') < 0.01", 5, "the drums to be muted")
    assert d.execute_script("return window.hio.mixer.gainOf('bass')") > 0.99
    assert d.find_element(By.CSS_SELECTOR, '.channel[data-name="drums"]').get_attribute("data-gain") == "0"
    assert d.find_element(By.ID, "chord-now").text  # the chord under the playhead is shown
    _shot(d, "track-390x844", report)

    # download the MIDI file (a plain link: works without JavaScript)
    d.find_element(By.XPATH, "//a[@download][starts-with(., 'MIDI')]").click()
    midi = d.downloads / "session.mid"
    deadline = time.monotonic() + 30
    while not (midi.exists() and midi.stat().st_size > 0):
        assert time.monotonic() < deadline, list(d.downloads.iterdir())
        time.sleep(0.2)
    assert midi.read_bytes()[:4] == b"MThd"

    # desktop layout of the same track page
    _size(d, DESKTOP)
    d.execute_script("window.scrollTo(0, 0)")
    time.sleep(0.5)  # wavesurfer redraws for the new width after a debounce
    _shot(d, "track-1440x900", report)

    # a new version in another style and meter, bar 1 moved, at half or double time: the history shows it stage by
    # stage until it is ready
    d.execute_script("document.getElementById('meter').scrollIntoView({block: 'center'})")
    _shot(d, "versions-1440x900", report)
    d.find_element(By.CSS_SELECTOR, "#style option[value=jazz]").click()
    # another meter the song is written in (a 2/4 hum makes a 4/4 song)
    meter = d.find_element(By.CSS_SELECTOR, "#meter option:not([selected]):not([value=hummed]):not([value='2/4'])")
    chosen = meter.get_attribute("value")
    meter.click()
    d.find_element(By.CSS_SELECTOR, "#bar_shift option[value='1']").click()   # bar 1 a beat later
    assert d.find_element(By.ID, "bar_shift").get_attribute("value") == "1"
    beat = d.find_element(By.CSS_SELECTOR, "#song_tempo option:not([value=style])")   # half or double time
    asked = float(beat.get_attribute("value"))
    beat.click()
    d.find_element(By.XPATH, "//button[.='Make it']").click()
    _wait(d, "return document.querySelector('.hum .stages') !== null", 10, "the progress bar")
    _shot(d, "progress-1440x900", report)
    _wait(d, "return /v2 jazz/.test(document.querySelector('.hum .chips').textContent)", 240,
          "the new version to finish")
    assert d.find_element(By.CSS_SELECTOR, ".hum .badge").text == "Ready"
    _wait(d, f"return document.querySelector('.hum').textContent.includes('{chosen}')", 30,
          f"the new version's meter {chosen} on the card")
    assert "/app" in d.current_url  # the page updated itself, no reload by the test
    assert svc.db.latest_hum_reading(str(svc.db.get_track(track_id)["session_id"])).asked_tempo_bpm == asked
    _shot(d, "history-1440x900", report)

    # a hum phoned in while the page is open shows up by itself and is followed to the end
    from e2e_helpers import APP_NUMBER

    call = threading.Thread(target=stack.twilio.place_call,
                            args=(account.phone, APP_NUMBER, [account.pin, "4"], sample_hum))
    call.start()
    _wait(d, "return document.querySelectorAll('.hum').length === 2", 90, "the new hum to appear")
    _wait(d, "return document.querySelector('.hum .badge').textContent === 'Ready'", 240, "the new hum to finish")
    call.join()
    # the badge turns "Ready" from the progress poll; the card (title, versions) is then fetched
    # and replaced, which takes a moment on a loaded machine
    _wait(d, "return /Electronic/.test(document.querySelector('.hum h2').textContent)", 30,
          "the finished hum's card to show its style")

    # what the SMS link opens: the same track page, no sign-in, no owner tools
    _size(d, MOBILE)
    token = svc.db.create_share_link(track_id, 30)
    d.delete_all_cookies()
    d.get(f"{stack.gateway.url}/s/{token}")
    _wait(d, "return !document.getElementById('transport').hidden", what="the shared player")
    assert not d.find_elements(By.NAME, "csrf")
    _shot(d, "shared-390x844", report)

    # without JavaScript: the native <audio controls> shows and the downloads are plain links
    d.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    d.get(f"{stack.gateway.url}/s/{token}")
    assert d.find_element(By.ID, "audio").is_displayed()
    before = len(list(d.downloads.iterdir()))
    d.find_element(By.XPATH, "//a[@download][starts-with(., 'Lead sheet')]").click()
    deadline = time.monotonic() + 30
    while not any(p.suffix == ".musicxml" for p in d.downloads.iterdir()):
        assert time.monotonic() < deadline, list(d.downloads.iterdir())
        time.sleep(0.2)
    assert len(list(d.downloads.iterdir())) == before + 1
    d.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})

    with capsys.disabled():
        print()
        for line in report:
            print(f"    {line}")
        print(f"    track page: first audio {first_audio_ms:.0f} ms after navigation start "
              f"({first_audio_ms - clicked_ms:.0f} ms after pressing play); "
              f"transferred: page {weight['page'] / 1e3:.0f} kB (HTML, CSS, JS, piano roll), "
              f"player stream {weight['player'] / 1e6:.2f} MB, stems {weight['stems'] / 1e6:.1f} MB")
