import json
import zipfile

import numpy as np
import soundfile
from pedalboard.io import AudioFile

from humitout.music import render
from humitout.music.midi import CHANNEL_BY_PART, build_midi
from humitout.music.mixing import style_mix
from humitout.music.package import FILE_PATHS, HUM_FILE_PATHS, PREVIEW_PATHS
from humitout.music.mastering import TARGET_LUFS, TRUE_PEAK_CEILING_DBTP, integrated_lufs, true_peak_dbtp

MIXES = ["backing_track", "full_mix"]
STEMS = ["stem_drums", "stem_bass", "stem_chords", "stem_pad", "stem_melody"]


def _read(path) -> np.ndarray:
    """A WAV as planar float64 (channels, n_samples)."""
    return soundfile.read(path, dtype="float64", always_2d=True)[0].T


def _residual_db(reference, estimate) -> float:
    return 10 * np.log10(np.sum((reference - estimate) ** 2) / np.sum(reference**2))


def test_package_has_every_file_and_a_preview_of_every_wav(package):
    # no recording given: no your-hum files nor their previews
    hum_previews = {f"preview_{name}" for name in HUM_FILE_PATHS}
    assert set(package.files) == set(FILE_PATHS) | (set(PREVIEW_PATHS) - hum_previews)
    for name, path in package.files.items():
        assert path.is_file() and path.stat().st_size > 0 or name == "lyrics", name
    assert package.files["preview_stem_drums"].relative_to(package.files["zip"].parent).as_posix() == \
        "previews/stems/drums.mp3"


def test_wavs_are_48k_24bit_stereo_and_the_same_length(package):
    infos = [soundfile.info(package.files[name]) for name in MIXES + STEMS]
    assert {(i.samplerate, i.subtype, i.channels, i.frames) for i in infos} == {
        (48_000, "PCM_24", 2, infos[0].frames)
    }


def test_every_mix_is_mastered_to_minus_14_lufs_with_true_peak_under_minus_1_dbtp(package):
    for name in MIXES:
        audio = _read(package.files[name])
        assert abs(integrated_lufs(audio, 48_000) - TARGET_LUFS) <= 0.5, name
        assert true_peak_dbtp(audio) <= TRUE_PEAK_CEILING_DBTP, name
        assert abs(package.metadata["loudness"][name]["lufs"] - TARGET_LUFS) <= 0.5


def test_stems_sum_to_the_raw_mix_times_one_gain(package, arrangement):
    """Same make-up gain on every stem: their sum is the unmastered synth mix, scaled."""
    raw = render.render_stems(build_midi(arrangement), {p.name: CHANNEL_BY_PART[p.name] for p in arrangement.parts},
                              None, min_duration_s=arrangement.duration_s, effects=style_mix(arrangement.style))
    gain = 10 ** (package.metadata["loudness"]["stems_gain_db"] / 20)
    stem_sum = sum(_read(package.files[name]) for name in STEMS)
    assert _residual_db(sum(raw.values()).astype(np.float64) * gain, stem_sum) < -60
    for name in STEMS:
        assert true_peak_dbtp(_read(package.files[name])) <= TRUE_PEAK_CEILING_DBTP


def test_the_mastered_mix_stays_close_to_the_stem_sum(package):
    """Bus compression and limiting change the mix by a few dB on peaks, not its content."""
    full_mix = _read(package.files["full_mix"])
    stem_sum = sum(_read(package.files[name]) for name in STEMS)
    scale = np.sum(full_mix * stem_sum) / np.sum(stem_sum**2)
    assert _residual_db(full_mix, stem_sum * scale) < -12


def test_previews_are_mp3s_of_the_same_audio_left_out_of_the_zip(package):
    full_mix = _read(package.files["full_mix"])
    with AudioFile(str(package.files["preview_full_mix"])) as preview:
        assert preview.samplerate == 48_000 and preview.num_channels == 2
        decoded = preview.read(preview.frames)
    assert abs(decoded.shape[1] - full_mix.shape[1]) < 48_000 * 0.1
    assert abs(integrated_lufs(decoded, 48_000) - TARGET_LUFS) < 0.5
    assert package.files["preview_full_mix"].stat().st_size < package.files["full_mix"].stat().st_size / 4
    with zipfile.ZipFile(package.files["zip"]) as archive:
        assert not [n for n in archive.namelist() if n.startswith("previews/")]
    sizes = package.metadata["file_sizes"]
    assert sizes["previews/full-mix.mp3"] == package.files["preview_full_mix"].stat().st_size
    assert package.metadata["files"]["preview_stem_bass"] == "previews/stems/bass.mp3"


def test_zip_contains_every_download_and_a_readme_on_how_stems_sum(package):
    with zipfile.ZipFile(package.files["zip"]) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
        readme = archive.read("README.txt").decode()
    assert names == {path for name, path in FILE_PATHS.items() if name != "zip"}
    assert "How the stems sum" in readme and f"{package.metadata['loudness']['stems_gain_db']:+.2f} dB" in readme


def test_metadata_json_records_music_durations_sizes_loudness_and_params(package, arrangement):
    metadata = json.loads(package.files["metadata"].read_text())
    assert metadata == package.metadata
    assert metadata["tempo_bpm"] == arrangement.tempo_bpm and metadata["key"]["name"] == "C major"
    assert arrangement.hum_meter is None and metadata["hum_meter"] == "4/4"   # an older arrangement: the song's
    assert [c["symbol"] for c in metadata["chords"]] == [c.symbol for c in arrangement.chords]
    assert metadata["style"] == "pop" and metadata["generation_params"] == {"seed": 7, "style": "pop"}
    assert metadata["durations_s"]["song"] == arrangement.duration_s
    sizes = metadata["file_sizes"]
    assert sizes["full-mix.wav"] == package.files["full_mix"].stat().st_size
    assert set(sizes) == {p for n, p in {**FILE_PATHS, **PREVIEW_PATHS}.items() if n not in ("metadata", "zip") and n[len("preview_"):] not in HUM_FILE_PATHS}
    assert metadata["render"]["effects"]["sends"]["pad"] == list(style_mix(arrangement.style).send("pad"))


def test_piano_rolls_are_pngs_and_lyrics_txt_has_the_words(package, arrangement):
    for name in ("piano_roll", "piano_roll_portrait"):
        assert package.files[name].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert package.files["lyrics"].read_text().strip() == arrangement.lyrics
    assert package.files["lead_sheet_svg"].read_text().lstrip().startswith("<svg")
