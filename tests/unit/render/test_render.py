import numpy as np
import pytest

from humitout.music import render
from humitout.music.midi import CHANNEL_BY_PART, build_midi
from humitout.music.package import build_package


def _stem_channels(arrangement):
    return {p.name: CHANNEL_BY_PART[p.name] for p in arrangement.parts}


def test_missing_soundfont_raises_instead_of_falling_back(arrangement, tmp_path, monkeypatch):
    missing = tmp_path / "nope.sf2"
    with pytest.raises(render.SoundfontError, match="soundfont not found"):
        render.render_stems(build_midi(arrangement), _stem_channels(arrangement), missing)
    monkeypatch.setenv(render.SOUNDFONT_ENV, str(missing))
    with pytest.raises(render.SoundfontError, match="nope.sf2"):
        build_package(arrangement, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_unloadable_soundfont_raises(arrangement, tmp_path):
    broken = tmp_path / "broken.sf2"
    broken.write_bytes(b"RIFF not a soundfont")
    with pytest.raises(render.SoundfontError, match="cannot load"):
        render.render_stems(build_midi(arrangement), _stem_channels(arrangement), broken)


def test_stems_share_one_length_with_a_release_tail(arrangement):
    stems = render.render_stems(build_midi(arrangement), _stem_channels(arrangement), None,
                                min_duration_s=arrangement.duration_s)
    lengths = {s.shape for s in stems.values()}
    expected = round((arrangement.duration_s + render.TAIL_S) * render.SAMPLE_RATE_HZ)
    assert lengths == {(2, expected)}
    for name, stem in stems.items():
        assert np.abs(stem).max() > 1e-3, f"{name} is silent"
        assert np.abs(stem).max() < 1.0


def test_stems_rendered_in_groups_sum_to_a_single_output_render(arrangement, monkeypatch):
    """Per-group effects are linear: the stems add up to what one stereo output would give."""
    midi_file = build_midi(arrangement)
    channels = _stem_channels(arrangement)
    stems = render.render_stems(midi_file, channels, None)
    stem_sum = sum(s.astype(np.float64) for s in stems.values())
    monkeypatch.setattr(render, "audio_group_count", lambda _: 1)
    single = render.render_stems(midi_file, channels, None)["melody"].astype(np.float64)
    residual_db = 10 * np.log10(np.sum((single - stem_sum) ** 2) / np.sum(single**2))
    assert residual_db < -60


def test_each_stem_only_holds_its_own_part(arrangement):
    only_bass = arrangement.model_copy(deep=True)
    for part in only_bass.parts:
        if part.name != "bass":
            part.notes = []
    stems = render.render_stems(build_midi(only_bass), _stem_channels(only_bass), None)
    assert np.abs(stems["bass"]).max() > 1e-3
    silent_floor = 1e-6  # -120 dBFS: the effect units' anti-denormal noise is ~1e-8
    assert all(np.abs(s).max() < silent_floor for name, s in stems.items() if name != "bass")


def test_group_count_gives_every_channel_its_own_group():
    assert render.audio_group_count(CHANNEL_BY_PART) == 5
    assert render.audio_group_count({"a": 0, "b": 4}) == 3


def test_each_stem_carries_its_own_reverb_on_top_of_its_dry_signal(arrangement):
    """The reverb units' outputs are added onto the dry group buffers, not written over them."""
    midi_file = build_midi(arrangement)
    channels = _stem_channels(arrangement)
    wet = {name: stem.copy() for name, stem in render.render_stems(midi_file, channels, None).items()}
    dry = render.render_stems(midi_file, channels, None, reverb=False)
    for name in channels:
        reverb_db = 10 * np.log10(np.sum((wet[name] - dry[name]) ** 2) / np.sum(dry[name] ** 2))
        assert -40 < reverb_db < -6, name
