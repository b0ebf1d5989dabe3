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
