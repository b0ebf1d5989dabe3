import json
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import soundfile

from humitout.music.package import (
    FILE_PATHS,
    TARGET_LUFS,
    TRUE_PEAK_CEILING_DBTP,
    integrated_lufs,
    loudness_gain_db,
    true_peak_dbtp,
)

WAVS = ["backing_track", "full_mix", "stem_drums", "stem_bass", "stem_chords", "stem_pad", "stem_melody"]
STEMS = [w for w in WAVS if w.startswith("stem_")]


def _read(path) -> np.ndarray:
    """A WAV as planar float64 (channels, n_samples)."""
    return soundfile.read(path, dtype="float64", always_2d=True)[0].T


def _residual_db(reference, estimate) -> float:
    return 10 * np.log10(np.sum((reference - estimate) ** 2) / np.sum(reference**2))


def test_package_has_every_file(package):
    assert set(package.files) == set(FILE_PATHS)
    for name, path in package.files.items():
        assert path.is_file() and path.stat().st_size > 0 or name == "lyrics", name


def test_wavs_are_48k_24bit_stereo_and_the_same_length(package):
    infos = [soundfile.info(package.files[name]) for name in WAVS]
    assert {(i.samplerate, i.subtype, i.channels, i.frames) for i in infos} == {
        (48_000, "PCM_24", 2, infos[0].frames)
    }


def test_stem_wavs_sum_to_the_full_mix_within_minus_60_db(package):
    full_mix = _read(package.files["full_mix"])
    stem_sum = sum(_read(package.files[name]) for name in STEMS)
    assert _residual_db(full_mix, stem_sum) < -60


def test_backing_track_is_the_full_mix_without_the_melody(package):
    backing = _read(package.files["backing_track"])
    without_melody = _read(package.files["full_mix"]) - _read(package.files["stem_melody"])
    assert _residual_db(backing, without_melody) < -60
    assert np.abs(_read(package.files["stem_melody"])).max() > 0.01


def test_full_mix_is_at_minus_14_lufs_with_true_peak_under_minus_1_dbtp(package):
    full_mix = _read(package.files["full_mix"])
    assert abs(integrated_lufs(full_mix, 48_000) - TARGET_LUFS) <= 1.0
    assert true_peak_dbtp(full_mix) <= TRUE_PEAK_CEILING_DBTP
    assert true_peak_dbtp(_read(package.files["backing_track"])) <= TRUE_PEAK_CEILING_DBTP
    assert package.metadata["loudness"]["full_mix_lufs"] == TARGET_LUFS


def test_peak_limit_makes_the_mix_quieter_instead_of_clipping():
    rate = 48_000
    t = np.arange(10 * rate) / rate
    quiet_with_spike = np.tile(0.01 * np.sin(2 * np.pi * 440 * t), (2, 1))
    quiet_with_spike[:, rate] = 0.5
    gain_db, lufs = loudness_gain_db(quiet_with_spike, [true_peak_dbtp(quiet_with_spike)], rate)
    assert gain_db < TARGET_LUFS - lufs
    assert true_peak_dbtp(quiet_with_spike * 10 ** (gain_db / 20)) <= TRUE_PEAK_CEILING_DBTP


def test_true_peak_sees_inter_sample_peaks_above_the_sample_peak():
    n = np.arange(4800)
    quarter_rate_sine = np.sin(np.pi / 2 * n + np.pi / 4)[None, :]  # samples at +-0.707, waveform peaks at 1
    assert abs(true_peak_dbtp(quarter_rate_sine)) < 0.2
    assert 20 * np.log10(np.abs(quarter_rate_sine).max()) < -2.9


def test_zip_contains_every_file(package):
    with zipfile.ZipFile(package.files["zip"]) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
    expected = {path for name, path in FILE_PATHS.items() if name != "zip"}
    assert names == expected


def test_lead_sheet_is_partwise_musicxml_with_melody_chords_and_lyrics(package, arrangement):
    root = ET.parse(package.files["lead_sheet"]).getroot()
    assert root.tag == "score-partwise"
    measures = root.findall("part/measure")
    assert len(measures) == arrangement.total_bars
    divisions = int(root.find("part/measure/attributes/divisions").text)
    beats = int(root.find("part/measure/attributes/time/beats").text)
    for measure in measures:
        assert sum(int(d.text) for d in measure.findall("note/duration")) == beats * divisions
    assert len(root.findall("part/measure/note/pitch")) >= len(arrangement.part("melody").notes)
    harmonies = root.findall("part/measure/harmony")
    assert len(harmonies) == len(arrangement.chords)
    assert harmonies[5].find("kind").text == "minor-seventh" and harmonies[5].find("root/root-step").text == "A"
    assert harmonies[6].find("bass/bass-step").text == "A"
    words = [t.text for t in root.findall("part/measure/note/lyric/text")]
    assert " ".join(words) == arrangement.lyrics


def test_metadata_json_records_music_durations_sizes_and_params(package, arrangement):
    metadata = json.loads(package.files["metadata"].read_text())
    assert metadata == package.metadata
    assert metadata["tempo_bpm"] == arrangement.tempo_bpm and metadata["key"]["name"] == "C major"
    assert [c["symbol"] for c in metadata["chords"]] == [c.symbol for c in arrangement.chords]
    assert metadata["style"] == "pop" and metadata["generation_params"] == {"seed": 7, "style": "pop"}
    assert metadata["durations_s"]["song"] == arrangement.duration_s
    sizes = metadata["file_sizes"]
    assert sizes["full-mix.wav"] == package.files["full_mix"].stat().st_size
    assert set(sizes) == {p for n, p in FILE_PATHS.items() if n not in ("metadata", "zip")}


def test_piano_roll_is_a_png_and_lyrics_txt_has_the_words(package, arrangement):
    assert package.files["piano_roll"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert package.files["lyrics"].read_text().strip() == arrangement.lyrics
