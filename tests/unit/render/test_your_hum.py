"""your-hum.wav and mix-with-your-hum.wav: the caller's hum on the song's timeline, in the package."""
import json
import zipfile

import numpy as np
import soundfile as sf

from humitout.models import TimePoint
from humitout.music.package import build_package

from conftest import make_arrangement


def test_the_package_carries_your_hum_on_the_song_timeline(tmp_path):
    arrangement = make_arrangement(bars=5)
    sr = 8000
    t = np.arange(int(2.2 * sr)) / sr
    recording = 0.3 * np.sin(2 * np.pi * 220 * t) * (t > 0.3)          # a 220 Hz hum from 0.3 s
    # the hum's beats at 0.3, 0.8, ... s go to song beats 8, 9, ... (the verse, bar 3 at 120 BPM = 4 s)
    arrangement.time_map = [TimePoint(hum_s=0.3 + 0.5 * i, song_beat=8.0 + i) for i in range(4)]
    result = build_package(arrangement, tmp_path, hum=(recording, sr))
    hum_wav, rate = sf.read(result.files["your_hum"])
    mix, _ = sf.read(result.files["mix_with_your_hum"])
    full, _ = sf.read(result.files["full_mix"])
    assert rate == 48000 and hum_wav.shape == mix.shape == full.shape
    level = np.abs(hum_wav[:, 0])
    first = np.flatnonzero(level > 0.01)[0] / rate
    assert abs(first - 4.0) < 0.03                                      # the hum starts at its song beat
    metadata = json.loads(result.files["metadata"].read_text())
    assert metadata["hum_time_map"][0] == {"hum_s": 0.3, "song_beat": 8.0, "song_s": 4.0}
    assert {"your-hum.wav", "mix-with-your-hum.wav"} <= set(metadata["files"].values())
    with zipfile.ZipFile(result.files["zip"]) as archive:
        readme = archive.read("README.txt").decode()
    assert "your-hum.wav" in readme and "mix-with-your-hum.wav" in readme   # the package says what they are
