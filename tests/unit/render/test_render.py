import dataclasses

import numpy as np
import pytest

from humitout.models import Style
from humitout.music import render
from humitout.music.midi import CHANNEL_BY_PART, build_midi
from humitout.music.mixing import style_mix
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


def _mono_fold_db(stem: np.ndarray) -> float:
    """Power of (left + right) / 2 against the stereo pair's mean power (dB): 0 for a centred
    mono part, -inf for one in anti-phase; what a phone's single speaker loses."""
    left, right = stem.astype(np.float64)
    return 10 * np.log10(np.mean(((left + right) / 2) ** 2) / (np.mean(left**2 + right**2) / 2))


def _with_leads(arrangement, program: int, style: Style):
    """``arrangement`` in ``style`` with its melody and chords on GM ``program``."""
    leads = arrangement.model_copy(deep=True)
    leads.style = style
    for part in leads.parts:
        if part.name in ("melody", "chords"):
            part.program = program
    return leads


@pytest.mark.parametrize("style, lead_program", [(Style.ELECTRONIC, 80), (Style.POP, 80), (Style.HIP_HOP, 81)])
def test_chorused_parts_keep_their_level_summed_to_mono(arrangement, style, lead_program):
    """FluidSynth's own chorus width (10) cancelled a chorused square lead by 7-14 dB in mono."""
    leads = _with_leads(arrangement, lead_program, style)
    stems = render.render_stems(build_midi(leads), _stem_channels(leads), None, effects=style_mix(style))
    assert _mono_fold_db(stems["melody"]) > -3.0
    assert _mono_fold_db(sum(stems.values())) > -3.0


def test_chorus_width_matrix_leaves_fluidsynths_width_alone_and_width_one_adds_no_inverted_side():
    np.testing.assert_allclose(render.chorus_width_matrix(render.FLUID_CHORUS_WIDTH), np.eye(2), atol=1e-12)
    to_one = render.chorus_width_matrix(1.0)
    np.testing.assert_allclose(to_one, [[1.375, 1.125], [1.125, 1.375]])
    assert (to_one > 0).all()


def test_a_part_the_style_keeps_dry_gets_no_chorus_from_its_preset(arrangement):
    """Hip-hop's melody sends nothing to the chorus; FluidR3's saw lead preset sends its own."""
    mix = style_mix(Style.HIP_HOP)
    assert mix.send("melody")[1] == 0
    leads = _with_leads(arrangement, 81, Style.HIP_HOP)
    midi_file, channels = build_midi(leads), _stem_channels(leads)
    with_chorus = render.render_stems(midi_file, channels, None, effects=mix)["melody"].astype(np.float64)
    no_chorus = render.render_stems(midi_file, channels, None,
                                    effects=dataclasses.replace(mix, chorus_level=0.0))["melody"].astype(np.float64)
    chorus_db = 10 * np.log10(np.sum((with_chorus - no_chorus) ** 2) / np.sum(no_chorus**2))
    assert chorus_db < -40  # was +14 dB: the chorus outweighed the dry lead


def test_stems_with_chorus_sum_to_a_single_output_render(arrangement, monkeypatch):
    """The chorus, rendered apart and re-encoded per group, still adds up like one stereo output."""
    mix = style_mix(Style.ELECTRONIC)
    leads = _with_leads(arrangement, 80, Style.ELECTRONIC)
    midi_file, channels = build_midi(leads), _stem_channels(leads)
    stem_sum = sum(s.astype(np.float64) for s in render.render_stems(midi_file, channels, None, effects=mix).values())
    monkeypatch.setattr(render, "audio_group_count", lambda _: 1)
    single = render.render_stems(midi_file, channels, None, effects=mix)["melody"].astype(np.float64)
    residual_db = 10 * np.log10(np.sum((single - stem_sum) ** 2) / np.sum(single**2))
    assert residual_db < -60
