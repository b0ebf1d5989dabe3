"""A held note in a room: a dip that only the bands a room notch takes down make is no re-attack
(``dip_cuts``' ``room_notch_veto``), while one every band makes at once still is."""
import numpy as np

from humitout.audio.notes.reattack import dip_cuts

N, WIN, T = 120, 12, 60   # frames of a held note, the dip window, the dip's frame


def _dip(depth_db: float, n: int = N) -> np.ndarray:
    """A level (dB) flat at 0 with a V-shaped dip ``depth_db`` deep at frame ``T`` (5 frames wide)."""
    v = np.zeros(n)
    v[T - 2:T + 3] = -depth_db * np.array([0.4, 0.8, 1.0, 0.8, 0.4])
    return v


def _bands(dipping: int, depth_db: float, k: int = 9) -> np.ndarray:
    """``k`` narrow bands' own levels (dB), ``dipping`` of them dipping ``depth_db`` at frame ``T``, the others
    flat at their own levels (a vibrato carrying the strong harmonics through a room's notches dips a few)."""
    rows = np.stack([10.0 - 3.0 * j + (_dip(depth_db) if j < dipping else np.zeros(N)) for j in range(k)])
    return rows


def _cuts(bands: np.ndarray | None, **kw) -> list[int]:
    # a level that dips 6 dB and a notch-robust level that dips 4 dB (both pass the dip lines), a steady pitch
    m = np.full(N, 60.0) + 0.02 * np.sin(np.arange(N))
    own = None if bands is None else (bands, bands.copy())
    return dip_cuts(_dip(6.0), WIN, 3, robust=_dip(4.0), m=m, own_levels=own, **kw)


def test_a_dip_that_only_the_notched_bands_make_is_no_re_attack():
    # two of nine bands dip 12 dB (a notch swept by the vibrato), the other seven stay: the median band dips 0 dB
    assert _cuts(_bands(2, 12.0)) == []
    assert _cuts(_bands(2, 12.0), room_notch_veto=False) == [T]


def test_a_dip_every_band_makes_at_once_is_a_re_attack():
    assert _cuts(_bands(9, 6.0)) == [T]
    # a legato repeat whose dip the room fills to 4 dB in every band still confirms it (DIP_CONFIRM_DB, 3 dB)
    assert _cuts(_bands(9, 4.0)) == [T]


def test_without_the_rooms_own_band_levels_the_dip_is_read_as_before():
    # a call not freed of a room's reverberation gives no own levels: the dip cuts as it always did
    assert _cuts(None) == [T]


def test_a_dip_every_band_makes_but_not_every_harmonic_is_no_re_attack():
    # the bands all dip, but the levels read at the voice's own harmonics stay: the room's comb, no re-attack
    bands = _bands(9, 6.0)
    m = np.full(N, 60.0) + 0.02 * np.sin(np.arange(N))
    harmonics = _bands(2, 12.0)
    assert dip_cuts(_dip(6.0), WIN, 3, robust=_dip(4.0), m=m, own_levels=(bands, harmonics)) == []
    assert dip_cuts(_dip(6.0), WIN, 3, robust=_dip(4.0), m=m, own_levels=(bands, harmonics),
                     room_notch_veto=False) == [T]


VIBRATO = ((14, 25), 30, 25)   # dip_cuts' vibrato reading as the note stage gives it: periods, reach, smooth (frames)


def _dips_with_the_vibrato(n: int = 150, period: int = 18, depth_db: float = 7.0, lag: int = 4
                           ) -> tuple[np.ndarray, np.ndarray]:
    """A held note's pitch (MIDI) with a vibrato of ``period`` frames widening from 0.1 to 0.35 st, and a level (dB)
    that dips ``depth_db`` ``lag`` frames after each vibrato top (a room notch the vibrato carries the voice's one
    strong harmonic through; reverb and the level's window move the dip off the pitch that caused it, so the
    pitch at the dip is one the vibrato passes loud in other cycles)."""
    phase = 2 * np.pi * np.arange(n) / period
    m = 60.0 + np.linspace(0.1, 0.35, n) * np.sin(phase)
    top = np.sin(np.r_[np.full(lag, -np.pi / 2), phase[:-lag]])
    return m, -depth_db * np.clip((top - 0.8) / 0.2, 0, 1)


def test_in_a_room_a_held_notes_dips_that_come_back_with_each_vibrato_cycle_are_no_re_attack():
    # every band and harmonic dips with the level (the voice's one strong harmonic feeds them all) and the
    # notch-robust level dips 6 dB, past DIP_DB: only the dip's return one vibrato period later tells the notch
    m, level = _dips_with_the_vibrato()
    bands = np.stack([level + 10.0 - 3.0 * j for j in range(9)])
    robust = level * 6.0 / 7.0
    assert dip_cuts(level, WIN, 3, robust=robust, m=m, vibrato=VIBRATO, own_levels=(bands, bands)) == []
    # a call freed of no room's reverberation is read as before: the notch-robust level's full dip cuts
    assert len(dip_cuts(level, WIN, 3, robust=robust, m=m, vibrato=VIBRATO)) >= 3


def test_in_a_room_a_one_off_dip_under_the_same_vibrato_is_a_re_attack():
    m, _ = _dips_with_the_vibrato()
    level = _dip(7.0, len(m))
    bands = np.stack([level + 10.0 - 3.0 * j for j in range(9)])
    assert dip_cuts(level, WIN, 3, robust=level * 6.0 / 7.0, m=m, vibrato=VIBRATO, own_levels=(bands, bands)) == [T]
