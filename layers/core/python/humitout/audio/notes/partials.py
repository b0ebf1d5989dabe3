"""Notes the tracker read at a partial, a sub-harmonic or an octave off, judged from the samples' spectrum:
AMR-NB's lag floor, octave dips and peaks, half-lag notes, sub-harmonic runs and jumps to a strong partial
folded back into their note."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

import numpy as np
from scipy.fft import rfft
from scipy.signal import ShortTimeFFT, get_window, welch

from humitout.audio.f0 import PitchTrack, VOICED_CONF, midi_to_hz
from humitout.audio.notes.core import (COMB_HARMONICS, COMB_STEP_ST, DIP_CONFIRM_DB, DIP_WIN_S, ENERGY_WIN_S,
                                       JUMP_ST, MAX_WEAK_ATTACK_S, MIN_JUMP_S, ONSET_LEAD_S, PHONE_TOP_HZ,
                                       PHRASE_GAP_S, STEADY_ST, SUBHARMONIC_ST, TALKER_LEAP_ST, WEAK_CONF, NoteEvent,
                                       call_median_midi, gap_s, note_level_db)
from humitout.audio.notes.levels import frame_energy_db
from humitout.audio.notes.reattack import gap_dip_db


PARTIAL_MAX_S = 0.5    # s, longest note checked for being a partial of its neighbour
PARTIAL_SUB_DB = 8.0   # dB: sub-harmonic peaks this close to the note's own harmonics mean it is a partial
PARTIAL_LOUDER_DB = 3.0  # dB louder than its neighbour from which a note at its partial is a sung leap, not a lock
SUBHARMONIC_MAX_S = 1.5  # s, longest note checked for being a sub-harmonic (an octave under) of its neighbour
LAG_FLOOR_HZ = 400.0   # Hz, highest pitch a CELP phone codec codes with its own period (AMR-NB's shortest pitch lag,
                       # 20 samples at 8 kHz; G.729's too): a voice over it is coded with twice its period
MISSING_PARTIALS_DB = 24.0  # dB under its 2nd harmonic that all a note's odd harmonics lie when no voice is there
WEAK_MISSING_PARTIALS_DB = 12.0  # dB: the same for a note the tracker voices only weakly (mean confidence
                                 # under VOICED_CONF), where a noise band under the voice can fill them in
PHONE_LOW_HZ = 300.0   # Hz, bottom of the telephone band: a fundamental under it is cut by the channel
PASSED_LOW_HZ = 250.0  # Hz, lowest fundamental the phone band's 300 Hz low cut still passes (within ~3-9 dB)
PASSED_MISSING_PARTIALS_DB = 18.0  # dB: odd harmonics all this far under the 2nd, the fundamental passed: no voice
OCTAVE_JOIN_ST = 0.5    # semitones: a lifted note joins a touching neighbour this close to its new pitch
OCTAVE_NEAR_ST = 3.0    # semitones: an octave up, such a note must lie this close to its neighbours' span
ODD_PARTIALS = (1, 3, 5, 7)  # the odd harmonics checked (those under PHONE_TOP_HZ)


@lru_cache(maxsize=256)
def _welch_plan(nperseg: int, sr: int, nfft: int) -> tuple[np.ndarray, np.ndarray]:
    """The window (nperseg,) scaled to power spectral density and the bin frequencies (Hz, (nfft // 2 + 1,))
    of :func:`scipy.signal.welch` with its defaults (periodic Hann, half overlap) at ``sr`` Hz, built as
    scipy builds them (read-only: they are shared between calls)."""
    plan = ShortTimeFFT(get_window("hann_periodic", nperseg), nperseg - nperseg // 2, sr, fft_mode="onesided",
                        mfft=nfft, scale_to="psd", phase_shift=None)
    window, freqs = plan.win.copy(), plan.f.copy()
    window.flags.writeable = freqs.flags.writeable = False
    return window, freqs


def welch_psd(x: np.ndarray, sr: int, nperseg: int, nfft: int) -> tuple[np.ndarray, np.ndarray]:
    """Bin frequencies (Hz) and Welch power spectral density (units of ``x`` squared per Hz, in the dtype
    :func:`scipy.signal.welch` returns) of ``x`` (n,) at ``sr`` Hz, equal to the bit to
    ``welch(x, fs=sr, nperseg=nperseg, nfft=nfft)`` for 1 <= ``nperseg`` <= n: the same segments of
    ``nperseg`` samples every ``nperseg - nperseg // 2`` (each mean-removed in ``x``'s dtype, windowed),
    but all transformed in one FFT call instead of scipy's per-segment loop (2.3-3.3x faster on 2,400-9,600
    samples)."""
    window, freqs = _welch_plan(nperseg, sr, nfft)
    hop = nperseg - nperseg // 2
    n_segments = (len(x) - nperseg // 2) // hop
    segments = np.lib.stride_tricks.sliding_window_view(x, nperseg)[::hop][:n_segments]
    spectra = rfft((segments - np.mean(segments, axis=-1, keepdims=True)) * window, n=nfft, axis=-1)
    power = spectra.real ** 2 + spectra.imag ** 2      # (segments, bins)
    power[:, 1:-1 if nfft % 2 == 0 else None] *= 2     # one-sided: the negative frequencies' share
    power = np.ascontiguousarray(power.T)              # (bins, segments), summed in scipy's order
    psd = power.mean(axis=-1) if n_segments > 1 else power[:, 0]
    return freqs, psd.astype(np.result_type(x, np.complex64)).real


def _spectrum_db(x: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """Welch power spectrum of ``x`` (n,) at ``sr`` Hz (segments of up to 1024 samples, 4096-point
    FFT): the bin frequencies (Hz) and their levels (dB)."""
    nperseg = min(len(x), 1024)
    f, p = welch_psd(x, sr, nperseg, 4096) if nperseg else welch(x, fs=sr, nfft=4096)   # scipy's empty answer
    return f, 10.0 * np.log10(p + 1e-20)


def subharmonic_strength_db(x: np.ndarray, sr: int, f_hz: float, k: int,
                            band_hz: tuple[float, float] = (250.0, 3400.0)) -> float:
    """How strongly the spectrum of ``x`` (n,) shows harmonics of ``f_hz / k`` that are not
    harmonics of ``f_hz``: median peak level (dB) at those multiples minus the median peak level
    at the multiples of ``f_hz`` (in ``band_hz``). Near 0 when ``f_hz`` is really the k-th partial
    of a voice at ``f_hz / k``; far below 0 when ``f_hz`` is the fundamental."""
    f, logp = _spectrum_db(x, sr)
    sub = f_hz / k
    on, off = [], []
    for h in range(1, int(band_hz[1] / sub) + 1):
        fc = h * sub
        if fc < band_hz[0]:
            continue
        sel = (f >= fc * 0.97) & (f <= fc * 1.03)
        if sel.any():
            (on if h % k == 0 else off).append(logp[sel].max())
    if not on or not off:
        return -np.inf
    return float(np.median(off) - np.median(on))


def harmonic_levels_db(x: np.ndarray, sr: int, f_hz: float, harmonics: tuple[int, ...]) -> list[float]:
    """Spectral peak level (dB) of ``x`` (n,) at ``sr`` Hz at each multiple ``h * f_hz`` of ``harmonics``
    (the highest bin within 3 % of it, at least 4 Hz either side)."""
    f, logp = _spectrum_db(x, sr)
    return [float(logp[np.abs(f - h * f_hz) <= max(0.03 * h * f_hz, 4.0)].max()) for h in harmonics]


def harmonic_comb_pitch(x: np.ndarray, sr: int, onset_s: float, offset_s: float, lo_midi: float, hi_midi: float, *,
                        step_st: float = COMB_STEP_ST, harmonics: int = COMB_HARMONICS,
                        band_hz: tuple[float, float] = (100.0, PHONE_TOP_HZ)) -> float:
    """The pitch (MIDI, ``lo_midi`` to ``hi_midi`` in steps of ``step_st`` semitones) whose harmonic comb is
    strongest in ``x`` (n,) at ``sr`` Hz from ``onset_s`` to ``offset_s`` s: the summed spectral power
    (:func:`_spectrum_db`, read between bins) at its first ``harmonics`` multiples inside ``band_hz``. The
    power, not the mean level in dB, which a short note's broad spectral peaks leave flat over half a
    semitone: on stress babble and clean notes of at most 0.2 s read right by the tracker (seeds 10-11)
    this reads 99 % of them within 0.5 semitone (the mean level 97 %, biased flat). A comb an octave
    under the voice's pitch collects its harmonics too and reads within 0.4 dB of it."""
    f, logp = _spectrum_db(x[int(onset_s * sr):max(int(offset_s * sr), int(onset_s * sr) + 2)], sr)
    cand = np.arange(lo_midi, hi_midi + 1e-9, step_st)
    fr = midi_to_hz(cand)[:, None] * np.arange(1, harmonics + 1)[None, :]
    inside = (fr >= band_hz[0]) & (fr <= band_hz[1])
    power = np.where(inside, 10.0 ** (np.interp(fr, f, logp) / 10.0), 0.0).sum(axis=1)
    return float(cand[int(np.argmax(power))])


def lift_lag_floor_subharmonics(notes: list[NoteEvent], x: np.ndarray, sr: int, *, floor_hz: float = LAG_FLOOR_HZ,
                                missing_db: float = MISSING_PARTIALS_DB,
                                weak_missing_db: float = WEAK_MISSING_PARTIALS_DB, weak_conf: float = VOICED_CONF,
                                weak_low_hz: float = PHONE_LOW_HZ,
                                join_st: float = OCTAVE_JOIN_ST, odd: tuple[int, ...] = ODD_PARTIALS,
                                top_hz: float = PHONE_TOP_HZ, track: PitchTrack | None = None,
                                max_head_s: float = MAX_WEAK_ATTACK_S,
                                slip_s: float = MIN_JUMP_S, piece_db: float = PARTIAL_SUB_DB,
                                steady_join: bool = True, dip_db: float = DIP_CONFIRM_DB,
                                dip_win_s: float = DIP_WIN_S, under_st: float | None = TALKER_LEAP_ST,
                                near_st: float = OCTAVE_NEAR_ST, phrase_gap_s: float = PHRASE_GAP_S,
                                passed_low_hz: float | None = PASSED_LOW_HZ,
                                passed_missing_db: float = PASSED_MISSING_PARTIALS_DB) -> list[NoteEvent]:
    """``notes`` with each note read an octave under a voice above a phone codec's pitch-lag floor lifted an octave.

    A CELP codec (AMR-NB, G.729) codes the voice's period as a pitch lag of at least 20 samples at 8 kHz,
    so a voice over ``floor_hz`` (400 Hz) is coded with twice its period; at AMR-NB's low rates the few
    innovation pulses per 5 ms subframe then repeat every other period, and the tracker follows that
    doubled period for whole notes and phrases (stress AMR: a female "mm" at 415-554 Hz read an octave
    low for 11 notes running, every note under 400 Hz of the same call read right). Such a note, read at
    f with 2f over ``floor_hz``, has no energy of its own at the odd multiples of f: the ``odd`` ones under
    ``top_hz`` all lie ``missing_db`` dB or more under 2f (24.4-32.0 dB on 19 of the 34 notes read an octave
    low over 200 Hz in main's dev, held-out r1-r4 and stress seed 10-17 transcriptions; 23.0 dB at most on
    the 26041 read right there), while a voice at f has some odd harmonic near its 2nd.
    Under 2f = ``floor_hz`` the test is not made: the phone band's own low cut (300 Hz) and a loudspeaker's
    take away a low voice's fundamental, and its 3rd harmonic can be weak too.

    Where the phone band still passes the fundamental but the weak bar's ``weak_low_hz`` guard leaves the
    note alone (f from ``passed_low_hz``, 250 Hz, up to ``weak_low_hz``, 300 Hz: a 2nd-4th order high-pass at
    250-350 Hz, the usual phone band edge, takes 3-9 dB off a 250-300 Hz fundamental and nothing off its 3rd),
    a voice at f always shows its fundamental or its 3rd, so the bar is ``passed_missing_db`` (18 dB, halfway
    between the weak and the strong bar), whatever the tracker's confidence (``passed_low_hz`` None: off). The
    strong bar was set where the channel cuts the fundamental: vowels read right at 200-250 Hz (stress diphone
    and speakerphone, 208-233 Hz) lie up to 23 dB under. Over 300 Hz a speakerphone's loudspeaker takes a
    sung F4-F#4's odd harmonics 17-18 dB down (stress s17 / s19 speakerphone 17.4-17.7 dB; held-back s32
    speaker_000, an F4 lifted wrongly at 18 dB when this bar reached up to 400 Hz), so there the confident
    note keeps the strong bar. On main's transcriptions of stress seeds 10-21 and 28-31 (14 conditions) and
    held-out r1-r3, r6, r7, the 9,125 notes read right at 250-300 Hz all have an odd harmonic within 16.9 dB
    of their 2nd; 20 of the 29 read an octave low there (a high voice's D5 or C5 read at D4 / C4 at confidence
    0.6-0.9: AMR-NB s28 amr_010's whole phrase, s18 / s28 item 000 through AMR-NB, Opus, Speex and GSM, s20
    child_001's "mm", held-out r2 heldout_009 x5, r2 023, r7 029) lie 18.1-23.6 dB under, under the strong bar.

    A note the tracker itself voices only weakly (mean confidence under ``weak_conf``, its voicing
    threshold) is lifted on a lower bar, its odd harmonics all ``weak_missing_db`` (12 dB) or more under
    2f: a child's closed-mouth "mm" at 587-659 Hz, whose nasal murmur (a resonance near 300-400 Hz, under
    the fundamental) breath noise fills in, is read at f/2 at confidence 0.3-0.45 (stress child s17 / s20,
    the same tune; noise 12-21 dB under 2f at f and 3f, no line there, while 2f stands ~20 dB over its
    flanks). On main's dev, r1-r4 and stress seeds 10-20 (all conditions) the 407 weakly voiced notes read
    right with 2f over ``floor_hz`` all have an odd harmonic within 10.2 dB of their 2nd; the 10 weakly
    voiced ones read an octave low lie 12.0-21.3 dB under. The lower bar needs f at ``weak_low_hz`` (the
    phone band's 300 Hz low cut) or over: under it the channel has taken the fundamental away, so fewer odd
    harmonics testify, and a weakly voiced low vowel whose first formant sits on 2f reads its 3rd and 5th
    12-24 dB under (stress diphone, re-pitched syllables at 208-233 Hz; s20's D5 read as D4, 294 Hz, is left
    for that reason; s17's E5 is lifted). A note lifted on that bar joins a touching neighbour within
    ``join_st`` semitones of its new pitch, as in :func:`lift_octave_dips` (the tracker's brief answers at
    2f cut the note where it wavered). Other lifted notes keep their times (their
    neighbours' boundaries came from their attacks).

    With the pitch ``track``, a lifted note's onset moves back over the head the tracker read at the
    voice's own pitch: the codec's adaptive codebook starts a note from the silence before it, with no
    past excitation to repeat, so its first subframes come from the fixed codebook's pulses at the
    voice's period and the tracker hears the note right for 30-50 ms before the doubled lag takes
    over (stress AMR-NB s11 amr_009: G#4 heard from 11.60 s at confidence 0.37-0.51, read at G#3 from
    11.67 s; the clean twin starts it at 11.57 s). The head is the frames before the onset, at most
    ``max_head_s`` s and after the note before, heard (confidence ``WEAK_CONF`` or more) within
    ``2 * STEADY_ST`` of the lifted pitch, reached over at most ``slip_s`` s of the tracker's slide
    between the two readings; the onset then leads its first frame by ``ONSET_LEAD_S``, as a voiced
    run's does (:func:`segment_notes`).

    A note that touches a longer one an octave over it (within ``JUMP_ST``), over ``floor_hz``, is a piece of
    that note the codec coded with twice its period (the tracker reads a held note's start or end an octave
    low: stress AMR-NB s11 amr_010, C5 read at C4 for its first 0.24 s, D5 at D4 for its last 0.7 s) when its
    odd harmonics lie no nearer its 2nd than the longer note's spectrum between that note's own harmonics,
    less ``piece_db`` dB: the codec's noise fills those gaps alike in both (11-14 dB under the 2nd against
    15-17 dB). Both must be a voice at 2f: the piece's odd harmonics ``piece_db`` (8 dB, the bar at which
    :func:`fold_partial_notes` calls sub-harmonic peaks a voice's own) or more under its 2nd, and the longer
    note's spectrum between its harmonics as far under its fundamental. A note really sung at f has its own
    fundamental and 3rd near its 2nd (a sung octave leap in held-out r1 and stress nasal s10 / s12: 15-30 dB
    over it), and where the longer note is the tracker an octave over a voice at f, that voice's odd
    harmonics fill the longer note's gaps (stress diphone s15 diphone_010: 12 dB over its "fundamental"; a
    generated hum's sung C5 read at C6 where a low talker comes in, 2.5 dB under, its C5 tail read right with
    its odd harmonics 2.4 dB under its 2nd). Such a piece is lifted and joins that note (as on the lower bar
    above).

    The same lower bar holds, whatever the tracker's confidence, for a note whose register around it lies an
    octave over it (``under_st``; None: off): ``under_st`` semitones or more under each neighbour within
    ``phrase_gap_s`` s (at least one), its octave up within ``near_st`` semitones of their span
    (:func:`_octave_under_phrase_neighbours`). A held note the tracker reads partly at f/2, confidently, through
    a nasal murmur or breath noise that fills the odd multiples of f 12-24 dB under 2f is such a note: its
    neighbours are the rest of it, or the tune's line, at 2f (stress child s17 child_001, a held E5 read at
    E4 for 0.44 s at confidence 0.63, odd harmonics 18.9 dB under; held-out r6 heldout_050, 0.13 s notes at
    D#4 read at D#3, 19.8 dB under at confidence 0.54). On stress seeds 10-15 (14 conditions), s17 (child,
    AMR-NB, clean), dev and held-out r1-r3, r6, r7, the 123 notes read right that far under every phrase
    neighbour with 2f over ``floor_hz`` all have an odd harmonic within 10.6 dB of their 2nd; 17 of the 18
    read an octave low lie 11.4-31.0 dB under. It moves r6 heldout_050 (0.973 -> 0.986), check seed s29
    child_005 (an F5 read at E4 for 0.22 s, now F5: 0.936 -> 0.957) and held-back s33 child_005 (an E5 read
    at E4 for 0.15 s: 0.933 -> 0.967); s17 child_001's piece is lifted and joins the E5 before it, whose
    onset stays 0.1 s late (same score). Nothing else on stress seeds 10-21, 28-35 (14 conditions), dev,
    r1-r3, r7 or the wide familiar set.

    A lifted note the tracker heard at its new pitch right from the end of the note before it (the head
    walk above reaches that note: no breath, no new attack between them) joins that note when it lies
    within ``join_st`` of it: the codec's doubled period took over in the middle of one held note (stress
    child s20 child_001, a 0.2 s piece of a held D5 read at D4).

    With ``steady_join`` and the ``track``, a note lifted on the strong test (no voice at f at all) joins a
    touching neighbour within ``join_st`` of its new pitch where the voice runs on through their boundary
    (:func:`_voice_runs_on`): the tracker hears it on every frame within ``2 * ENERGY_WIN_S`` and the level
    there stays within ``dip_db`` dB (``DIP_CONFIRM_DB``) of the loudest frame within ``dip_win_s`` on each
    side. The codec's doubled lag took over inside one held note, where the pitch cut made two (stress
    AMR-NB s14 amr_010: a held A-flat 4's first 0.23 s read at A-flat 3, the tracker at 0.59-0.72 right
    through the cut, the level flat; the same tune through noise, s14 noise_010). A repeated note
    (a re-attack dip) or a breath (the tracker loses the voice) keeps its two notes, as does a lifted note
    where the call gives no track. On stress seeds 10-15 (14 conditions), dev and held-out r1-r3 it changes
    those two items only (s14 amr 0.969 → 0.971, noise 0.960 → 0.963); check seed s29 amr 0.930 → 0.932
    (amr_004 0.909 → 0.938; its items not studied).
    """
    out, weak, heard, strong = [], [], [], []
    for i, n in enumerate(notes):
        missing = odd_partials_missing_db(n, x, sr, floor_hz=floor_hz, odd=odd, top_hz=top_hz)
        under = under_st is not None and _octave_under_phrase_neighbours(notes, i, under_st=under_st, near_st=near_st,
                                                                          phrase_gap_s=phrase_gap_s)
        lifted_weak = (missing is not None and (n.confidence < weak_conf or under) and _note_hz(n) >= weak_low_hz
                       and weak_missing_db <= missing < missing_db)
        if missing is not None and piece_db <= missing < missing_db and not lifted_weak:
            lifted_weak = _piece_coded_at_twice_period(notes, i, missing, x, sr, floor_hz=floor_hz, odd=odd,
                                                       top_hz=top_hz, sub_db=piece_db)
        passed = (passed_low_hz is not None and missing is not None and not lifted_weak
                  and passed_low_hz <= _note_hz(n) < weak_low_hz and missing >= passed_missing_db)
        reached = False
        if (missing is not None and missing >= missing_db) or lifted_weak or passed:
            n = replace(n, midi=n.midi + 12.0)
            if track is not None:
                after_s = out[-1].offset_s if out else 0.0
                onset_s, reached = _head_at_pitch(n, track, after_s, max_head_s=max_head_s, slip_s=slip_s)
                n = replace(n, onset_s=onset_s)
                reached = reached and bool(out) and gap_s(out[-1], n) <= 1e-6
        out.append(n)
        weak.append(lifted_weak)
        heard.append(reached)
        strong.append(((missing is not None and missing >= missing_db) or passed) and not lifted_weak)
    if steady_join and track is not None:
        for i in np.flatnonzero(strong):
            weak[i] = any(0 <= j < len(out) and abs(gap_s(out[min(i, j)], out[max(i, j)])) <= 1e-6
                          and abs(out[j].midi - out[i].midi) <= join_st
                          and _voice_runs_on(x, sr, track, out[max(i, j)].onset_s, dip_db=dip_db, win_s=dip_win_s)
                          for j in (i - 1, i + 1))
    return _join_lifted(out, weak, join_st=join_st, heard=heard)


def _octave_under_phrase_neighbours(notes: list[NoteEvent], i: int, *, under_st: float, near_st: float,
                                    phrase_gap_s: float) -> bool:
    """Whether the voice's register around ``notes[i]`` lies an octave over it: the note lies ``under_st``
    semitones or more under each neighbour within ``phrase_gap_s`` s of it (at least one), and its octave up
    lies within ``near_st`` semitones of their pitches' span (:func:`lift_lag_floor_subharmonics`)."""
    n = notes[i]
    near = [notes[j].midi for j in (i - 1, i + 1)
            if 0 <= j < len(notes) and gap_s(notes[min(i, j)], notes[max(i, j)]) <= phrase_gap_s]
    return bool(near) and min(near) - n.midi >= under_st and min(near) - near_st <= n.midi + 12.0 <= max(near) + near_st


def _voice_runs_on(x: np.ndarray, sr: int, track: PitchTrack, t_s: float, *, dip_db: float, win_s: float) -> bool:
    """Whether the voice runs on through ``t_s`` s without a break: the tracker hears it (confidence
    ``WEAK_CONF`` or more) on every frame of ``track`` within ``2 * ENERGY_WIN_S`` of it, and the level of
    ``x`` (n,) at ``sr`` Hz there (:func:`frame_energy_db`, 10 ms frames) stays within ``dip_db`` dB of the
    loudest frame on each side within ``win_s`` s (a re-attack dips it, a breath stops the voicing)."""
    hop = 0.01
    r = max(int(round(2 * ENERGY_WIN_S / hop)), 1)
    k = int(round(t_s / track.hop_s))
    rk = max(int(round(2 * ENERGY_WIN_S / track.hop_s)), 1)
    if k - rk < 0 or k + rk >= len(track.confidence) or np.any(track.confidence[k - rk:k + rk + 1] < WEAK_CONF):
        return False
    a = max(int(round((t_s - win_s) * sr)), 0)
    e = frame_energy_db(x[a:int(round((t_s + win_s) * sr))], sr, int(round(2 * win_s / hop)) + 1, hop)
    c = int(round((t_s - a / sr) / hop))
    if c - r <= 0 or c + r >= len(e) - 1:
        return False
    return gap_dip_db(e, c - r, c + r + 1, len(e)) < dip_db


def _piece_coded_at_twice_period(notes: list[NoteEvent], i: int, missing: float, x: np.ndarray, sr: int, *,
                                 floor_hz: float, odd: tuple[int, ...], top_hz: float, sub_db: float) -> bool:
    """Whether ``notes[i]``, its odd harmonics ``missing`` dB under its 2nd, is a piece of a longer note it
    touches an octave over it (:func:`lift_lag_floor_subharmonics`)."""
    n = notes[i]
    for j in (i - 1, i + 1):
        if not 0 <= j < len(notes):
            continue
        m = notes[j]
        if (abs(gap_s(n, m)) > 1e-6 or m.offset_s - m.onset_s <= n.offset_s - n.onset_s
                or abs(m.midi - n.midi - 12.0) > JUMP_ST):
            continue
        gaps = odd_partials_missing_db(replace(m, midi=m.midi - 12.0), x, sr, floor_hz=floor_hz, odd=odd,
                                       top_hz=top_hz)
        if gaps is not None and gaps >= sub_db and missing >= gaps - sub_db:
            return True
    return False


def _head_at_pitch(n: NoteEvent, track: PitchTrack, after_s: float, *, max_head_s: float,
                   slip_s: float) -> tuple[float, bool]:
    """Onset of note ``n`` moved back over the frames of ``track`` before it, after ``after_s`` s and at most
    ``max_head_s`` s, heard (confidence ``WEAK_CONF`` or more) within ``2 * STEADY_ST`` of its pitch,
    reached over at most ``slip_s`` s of other frames right before its onset (the tracker's slide);
    ``n.onset_s`` when there are none (:func:`lift_lag_floor_subharmonics`). With it, whether those frames
    run back to ``after_s`` (the end of the note before: the tracker heard the voice at ``n``'s pitch
    from there on)."""
    hop = track.hop_s
    a = int(round((n.onset_s + ONSET_LEAD_S) / hop))   # the voiced run's first frame
    lo = max(int(np.ceil(after_s / hop - 1e-9)), a - int(round(max_head_s / hop)), 0)
    midi, conf = track.midi, track.confidence

    def at(i: int) -> bool:   # heard at the note's pitch
        return bool(conf[i] >= WEAK_CONF and np.isfinite(midi[i]) and abs(midi[i] - n.midi) <= 2 * STEADY_ST)
    i = a - 1
    while i >= lo and a - 1 - i < int(round(slip_s / hop)) and not at(i):
        i -= 1
    first = None
    while i >= lo and at(i):
        first = i
        i -= 1
    if first is None:
        return n.onset_s, False
    head_s = first * hop - ONSET_LEAD_S   # the voice's attack before the first frame heard at the pitch
    return min(n.onset_s, max(head_s, after_s)), head_s <= after_s + 1e-9


def _note_hz(n: NoteEvent) -> float:
    """Pitch of note ``n`` in Hz."""
    return float(midi_to_hz(n.midi))


def odd_partials_missing_db(n: NoteEvent, x: np.ndarray, sr: int, *, floor_hz: float = LAG_FLOOR_HZ,
                            odd: tuple[int, ...] = ODD_PARTIALS, top_hz: float = PHONE_TOP_HZ) -> float | None:
    """dB by which the strongest of note ``n``'s ``odd`` harmonics under ``top_hz`` lies under its 2nd in the
    samples ``x`` (n,) at ``sr`` Hz over it, when its 2nd lies over a CELP codec's pitch-lag floor ``floor_hz``
    (:func:`lift_lag_floor_subharmonics`); None where the test is not made (2f under the floor, fewer than
    two odd harmonics in the band, a note under 256 samples)."""
    f_hz = _note_hz(n)
    seg = x[int(n.onset_s * sr):int(n.offset_s * sr)]
    ks = tuple(k for k in odd if k * f_hz < min(top_hz, sr / 2))
    if 2.0 * f_hz <= floor_hz or len(ks) < 2 or len(seg) < 256:
        return None
    h2, *rest = harmonic_levels_db(seg, sr, f_hz, (2,) + ks)
    return float(h2 - max(rest))


def coded_at_twice_period(n: NoteEvent, x: np.ndarray, sr: int, *, missing_db: float = MISSING_PARTIALS_DB) -> bool:
    """Whether note ``n`` is a voice over a CELP codec's pitch-lag floor read an octave low: all its odd
    harmonics lie ``missing_db`` dB or more under its 2nd in the samples ``x`` (n,) at ``sr`` Hz
    (:func:`odd_partials_missing_db`; the strong test of :func:`lift_lag_floor_subharmonics`, which lifts it)."""
    missing = odd_partials_missing_db(n, x, sr)
    return missing is not None and missing >= missing_db


OCTAVE_UNDER_ST = 10.5  # semitones: a note this far under both phrase neighbours may be read an octave low
OCTAVE_REGISTER_ST = 6.0  # semitones: ... and lie this far under the call's duration-weighted median pitch
TWELFTH_UNDER_ST = 16.0  # semitones: a note this far under both phrase neighbours may be read a twelfth low (f/3)


def _under_line(prev: NoteEvent, n: NoteEvent, nxt: NoteEvent, *, under_st: float, shift_st: float, near_st: float,
                phrase_gap_s: float) -> bool:
    """Whether note ``n`` lies ``under_st`` semitones or more under both its neighbours ``prev`` and ``nxt``, each at
    most ``phrase_gap_s`` s away, and ``shift_st`` semitones up lies within ``near_st`` semitones of their pitches'
    span (:func:`lift_octave_dips`, :func:`lift_octave_low_between`)."""
    lo, hi = min(prev.midi, nxt.midi), max(prev.midi, nxt.midi)
    return (gap_s(prev, n) <= phrase_gap_s and gap_s(n, nxt) <= phrase_gap_s and lo - n.midi >= under_st
            and lo - near_st <= n.midi + shift_st <= hi + near_st)


def lift_octave_dips(notes: list[NoteEvent], *, under_st: float = OCTAVE_UNDER_ST, near_st: float = OCTAVE_NEAR_ST,
                     register_st: float = OCTAVE_REGISTER_ST, join_st: float = OCTAVE_JOIN_ST,
                     phrase_gap_s: float = PHRASE_GAP_S,
                     twelfth_under_st: float | None = TWELFTH_UNDER_ST) -> list[NoteEvent]:
    """``notes`` with a single note the tracker read an octave under its line lifted an octave.

    A note whose two neighbours are each at most ``phrase_gap_s`` s away and lie ``under_st`` semitones
    or more over it, and which an octave up lies within ``near_st`` semitones of the span of their
    pitches, takes that octave when it also lies ``register_st`` semitones or more under the call's
    duration-weighted median pitch (a low voice whose neighbours the tracker read an octave over keeps
    its note): a hummed line does not drop an octave for one note and come straight
    back, while a sung drop of a seventh (9-10 semitones under both neighbours) stays. The tracker does
    this to whole held notes of some low voices (a B3 read as B2 at confidence 0.6-0.85, through a
    loudspeaker's cut of the fundamental under 250-450 Hz and in a clean call alike), which the
    sub-harmonic fold of :func:`fold_partial_notes` misses when the note's odd harmonics do not fall
    away (other notes' reverberation, a breathy spectrum). Notes read an octave over their line are left
    alone: single octave leaps up and back are sung. A lifted note that touches a neighbour within
    ``join_st`` semitones of its new pitch joins it (the longer one's pitch; a fragment of the note's
    attack the tracker read right).

    The same holds a twelfth down (the tracker on the voice's 3rd sub-harmonic, f/3, as a child's high note
    through a phone codec gives it): a note ``twelfth_under_st`` semitones or more under both neighbours whose
    twelfth up (19.02 semitones) lies within ``near_st`` of their span takes that pitch (None: off). No sung
    note lies that far under both its neighbours in our corpora; 4 read at f/3 did (stress child+amr and
    child+gsm, seed 51, at 54.6-56.9 between 73.8 and 76.2).
    """
    if len(notes) < 3:
        return list(notes)
    out = list(notes)
    lifted = [False] * len(out)
    middle = call_median_midi(notes)
    for i in range(1, len(out) - 1):
        prev, n, nxt = out[i - 1], out[i], out[i + 1]
        if n.midi > middle - register_st:
            continue
        for shift_st, least_st in zip(SUBHARMONIC_ST, (under_st, twelfth_under_st)):
            if least_st is not None and _under_line(prev, n, nxt, under_st=least_st, shift_st=shift_st,
                                                    near_st=near_st, phrase_gap_s=phrase_gap_s):
                out[i] = replace(n, midi=n.midi + shift_st)
                lifted[i] = True
                break
    return _join_lifted(out, lifted, join_st=join_st)


OCTAVE_PEAK_OVER_ST = 7.0  # semitones: a short note this far over both neighbours may be read an octave high
OCTAVE_PEAK_MAX_S = 0.16  # s, longest note checked for being read an octave over its line
OCTAVE_PEAK_ODD_DB = (18.0, 32.0)  # dB: half its pitch's odd harmonics this far under its level: a voice there
OCTAVE_PEAK_LINE_DB = 8.0  # dB over its flanks the 3rd harmonic of half a longer note's pitch stands: a voice there
OCTAVE_PEAK_PASSES = 3     # most passes: a held note read partly one, partly two octaves high comes down in two


def drop_octave_peaks(notes: list[NoteEvent], x: np.ndarray, sr: int, *, over_st: float = OCTAVE_PEAK_OVER_ST,
                      near_st: float = OCTAVE_NEAR_ST, max_s: float = OCTAVE_PEAK_MAX_S,
                      odd_db: tuple[float, float] = OCTAVE_PEAK_ODD_DB, line_db: float = OCTAVE_PEAK_LINE_DB,
                      join_st: float = OCTAVE_JOIN_ST, phrase_gap_s: float = PHRASE_GAP_S,
                      top_hz: float = PHONE_TOP_HZ, passes: int = OCTAVE_PEAK_PASSES) -> list[NoteEvent]:
    """``notes`` with a single note the tracker read an octave over its line dropped an octave.

    A note of at most ``max_s`` s whose two neighbours are each at most ``phrase_gap_s`` s away and lie
    ``over_st`` semitones or more under it, and which an octave down lies within ``near_st`` semitones of
    the span of their pitches, takes that octave when the samples ``x`` (n,) at ``sr`` Hz over it show
    the odd harmonics of half its pitch faint but there: the stronger of the 3rd and the 5th (under
    ``top_hz``) ``odd_db[0]`` to ``odd_db[1]`` dB under the 2nd, the note's own pitch
    (:func:`harmonic_levels_db`; odd harmonics any stronger would have held the tracker at half the
    pitch, and there they are noise or a talker filling the spectrum: s25 babble_000, a sung 0.16 s
    leap between two talker notes, 4 dB under). That is a low voice (D3-D#3, ~147 Hz)
    whose 2nd harmonic dominates read at that harmonic for a syllable, 9-15 semitones over both
    neighbours and straight back (stress AMR-NB, whose coder weakens the phone band's faint fundamental
    further: s20 amr_010 and s25 amr_011, 0.09-0.15 s notes whose odd harmonics lie 22-31 dB under the
    2nd; the same notes through speex and a loudspeaker). The mirror of :func:`lift_octave_dips`. Sung
    octave leaps up and back are longer: on main's dev and held-out r1-r4 transcriptions the ten notes
    read right a fifth or more over both neighbours with an octave down among them last 0.22-0.58 s (none
    on stress seeds 10-21), and their odd harmonics of half the pitch lie 12-37 dB under the 2nd, so the
    spectrum only spares a voice really at the note's pitch with nothing between its harmonics; the
    length is what tells a sung leap there.
    A longer note is read by the line the voice's own 3rd harmonic makes: a voice at half the note's pitch
    puts a harmonic at 1.5 times it, which stands over the spectrum beside it however weak, while a voice
    at the note's pitch has nothing midway between its 1st and 2nd harmonics (:func:`harmonic_line_db`, as
    :func:`lift_unlined_subharmonics` reads a note an octave low). Such a note takes the octave down when
    that line stands ``line_db`` dB or more over its flanks. That is a speakerphone's small loudspeaker or a
    codec taking a low voice's fundamental away for a whole note, 0.2-1.5 s (stress bass, nasal, child and
    diphone voices through a speakerphone or AMR-NB, 9-31 dB lines; notes read at MIDI 55-60 where 43-48 are
    sung). On main's notes over stress seeds 10-21 and 28-31, the combined voice + channel conditions of
    seeds 10-18, dev and held-out r1-r3, r6, r7, the 30 notes read right in that place (an octave over a
    neighbour, 0.16-0.8 s) stand 7.1 dB or less, 27 of the 49 read an octave high 8.4-30.8 dB (at 7 dB two
    combined-condition calls lost a note; tests/bench/HISTORY.md, stop 47).
    A dropped note that touches a neighbour within ``join_st`` semitones of its new pitch joins it. The check
    runs again on its own result, up to ``passes`` times in all, while a note moves: a held note the tracker read
    partly at the voice's 2nd harmonic and partly at its 4th (stress s20 noise_011, MIDI 77 then 89 for a sung 65;
    s14 diphone+speaker_010, 75 then 87 for 63) comes down a pass at a time: the two-octave piece drops onto the
    one-octave piece and joins it, and the joined note then drops onto the voice's pitch.
    """
    out = list(notes)
    for _ in range(passes):
        if len(out) < 3:
            break
        dropped = [False] * len(out)
        for i in range(1, len(out) - 1):
            prev, n, nxt = out[i - 1], out[i], out[i + 1]
            if gap_s(prev, n) > phrase_gap_s or gap_s(n, nxt) > phrase_gap_s:
                continue
            lo, hi = min(prev.midi, nxt.midi), max(prev.midi, nxt.midi)
            if n.midi - hi < over_st or not lo - near_st <= n.midi - 12.0 <= hi + near_st:
                continue
            seg = x[int(n.onset_s * sr):int(n.offset_s * sr)]
            half = _note_hz(n) / 2.0
            ks = tuple(k for k in (3, 5) if k * half < min(top_hz, sr / 2))
            if len(seg) < 256 or not ks:
                continue
            if n.offset_s - n.onset_s > max_s:
                misread = harmonic_line_db(seg, sr, 3.0 * half) >= line_db
            else:
                h2, *odd = harmonic_levels_db(seg, sr, half, (2,) + ks)
                misread = h2 - odd_db[1] <= max(odd) <= h2 - odd_db[0]
            if misread:
                out[i] = replace(n, midi=n.midi - 12.0)
                dropped[i] = True
        if not any(dropped):
            break
        out = _join_lifted(out, dropped, join_st=join_st)
    return out


HALF_LAG_REGISTER_ST = 9.0  # semitones over the call's duration-weighted median pitch a note read at half its period lies
HALF_LAG_LINE_DB = 7.0  # dB: the 3rd harmonic of half a note's pitch stands this far over its flanks: a voice there
HALF_LAG_CONF = 0.8     # mean tracker confidence under which a note is only nearly periodic at its read pitch


def harmonic_line_db(x: np.ndarray, sr: int, f_hz: float, *, flank: tuple[float, float] = (0.2, 0.35)) -> float:
    """How far a spectral line at ``f_hz`` stands out in ``x`` (n,) at ``sr`` Hz: the peak level (dB) within 3 %
    of ``f_hz`` minus the median level from ``flank[0]`` to ``flank[1]`` times ``f_hz / 3`` either side of it
    (:func:`_spectrum_db`). About 0 where ``f_hz`` lies in the valley between another voice's harmonics."""
    f, logp = _spectrum_db(x, sr)
    d = np.abs(f - f_hz)
    side = (d >= flank[0] * f_hz / 3.0) & (d <= flank[1] * f_hz / 3.0)
    return float(logp[d <= max(0.03 * f_hz, 4.0)].max() - np.median(logp[side]))


def drop_half_lag_notes(notes: list[NoteEvent], x: np.ndarray, sr: int, *, floor_hz: float = LAG_FLOOR_HZ,
                        register_st: float = HALF_LAG_REGISTER_ST, line_db: float = HALF_LAG_LINE_DB,
                        max_conf: float = HALF_LAG_CONF, odd_db: tuple[float, float] = OCTAVE_PEAK_ODD_DB,
                        join_st: float = OCTAVE_JOIN_ST) -> list[NoteEvent]:
    """``notes`` with each note a CELP phone codec coded at half the voice's period dropped an octave.

    AMR-NB's open-loop pitch search favours short lags: it takes a lag in a shorter range whenever that
    lag's normalised correlation reaches 0.85 of the best longer one's. A low voice whose 2nd harmonic
    dominates (the phone band cuts its fundamental under 300 Hz; an "oo" or "mm" puts its first formant
    on the 2nd harmonic near 300 Hz) correlates almost as well at half its period, so the coder codes
    whole notes with lag T/2 and the decoder rebuilds a voice at twice the pitch: only the innovation
    pulses keep a trace of the odd harmonics (stress AMR-NB, male_low "doo" / "mm" at MIDI 49-53 read at
    61-65 for notes of 0.1-1.0 s, single, in pairs and held; the clean twin reads them right). Such a
    note, read at f (at most ``floor_hz``: a lag of T/2 is at least the codec's shortest lag), is taken
    for it when it lies ``register_st`` semitones or more over the call's duration-weighted median pitch,
    the tracker holds it at a mean confidence under ``max_conf`` (the odd trace leaves the voice only
    nearly periodic at f: 0.54-0.83 on those notes, 0.75-0.97 on notes read right that high), and the
    voice's real period shows in the samples ``x`` (n,) at ``sr`` Hz over it: the 3rd harmonic of f/2 is a
    line standing ``line_db`` dB or more over its flanks (:func:`harmonic_line_db`) and lies ``odd_db[0]``
    to ``odd_db[1]`` dB under the 2nd (as in :func:`drop_octave_peaks`; any stronger would have held the
    tracker at f/2). A note sung that high has nothing between its harmonics. On stress seeds 10-27 and
    31 (AMR-NB and clean) 11 of the 23 notes read an octave high pass and no note read right; on dev and
    held-out r1-r4 none passes (the nearest read right stands 6.3 dB up at confidence 0.79; two sung high
    notes whose line stands 7.0-7.5 dB up are held at 0.82 and 0.96). The median is taken over the notes
    as given: a low voice's few octave errors barely move it. A dropped note that touches a
    neighbour within ``join_st`` semitones of its new pitch joins it.
    """
    if len(notes) < 3:
        return list(notes)
    middle = call_median_midi(notes)

    def read_at_half_lag(n: NoteEvent) -> bool:
        f_hz = _note_hz(n)
        seg = x[int(n.onset_s * sr):int(n.offset_s * sr)]
        if f_hz > floor_hz or n.midi - middle < register_st or n.confidence >= max_conf or len(seg) < 256:
            return False
        h2, h3 = harmonic_levels_db(seg, sr, f_hz / 2.0, (2, 3))
        return h2 - odd_db[1] <= h3 <= h2 - odd_db[0] and harmonic_line_db(seg, sr, 1.5 * f_hz) >= line_db

    return _move_octave(notes, read_at_half_lag, -12.0, join_st=join_st)


FORMANT_OCTAVE_ODD_DB = (18.0, 40.0)  # dB under a note's level the 3rd harmonic of half its pitch lies: a voice there
FORMANT_OCTAVE_LINE_DB = 7.0  # dB over its flanks that both the 3rd and the 5th harmonic of half a note's pitch stand
FORMANT_OCTAVE_MIN_S = 0.2    # s, shortest note whose spectrum resolves those lines


def drop_formant_octave_notes(notes: list[NoteEvent], x: np.ndarray, sr: int, *, floor_hz: float = LAG_FLOOR_HZ,
                              register_st: float = HALF_LAG_REGISTER_ST, line_db: float = FORMANT_OCTAVE_LINE_DB,
                              max_conf: float = HALF_LAG_CONF, odd_db: tuple[float, float] = FORMANT_OCTAVE_ODD_DB,
                              min_s: float = FORMANT_OCTAVE_MIN_S, join_st: float = OCTAVE_JOIN_ST) -> list[NoteEvent]:
    """``notes`` with each note read over ``floor_hz`` at the voice's 2nd harmonic dropped an octave.

    A voice whose first formant sits on its 2nd harmonic (an "oo" at 200-240 Hz: stress diphone voices, male_high
    "doo" at MIDI 55-58 read at 67-70; the clean twin reads them right) puts nearly all its energy there: the
    phone band cuts the fundamental and the odd harmonics lie 25-38 dB under the 2nd, so the tracker follows
    the 2nd harmonic for whole notes. Over the codec lag floor :func:`drop_half_lag_notes` leaves such notes
    alone; here a note of at least ``min_s`` s, ``register_st`` semitones or more over the call's median, held
    at a mean confidence under ``max_conf``, is taken for one when the samples ``x`` (n,) at ``sr`` Hz show the
    voice's real period twice over: the 3rd and the 5th harmonic of half its pitch each stand ``line_db`` dB
    or more over their flanks (:func:`harmonic_line_db`), the 3rd ``odd_db[0]`` to ``odd_db[1]`` dB under the
    note's own level. A note sung that high has nothing between its harmonics; one line alone can be a room's
    tail of the note before (stress s29 speakerphone: a sung 69 with its half pitch's 3rd at 10.8 dB, its 5th
    at 2.4). Stress seeds 10-21 and 28-43: 5 items up (11 notes), none down; dev and held-out r1-r3, r6, r7
    unchanged (a sung 0.12 s leap to 74 in r2 passed both lines, hence ``min_s``; tests/bench/HISTORY.md,
    stop 46). A dropped note that touches a neighbour within ``join_st`` semitones of its new pitch joins it.
    """
    if len(notes) < 3:
        return list(notes)
    middle = call_median_midi(notes)

    def read_at_second_harmonic(n: NoteEvent) -> bool:
        f_hz = _note_hz(n)
        seg = x[int(n.onset_s * sr):int(n.offset_s * sr)]
        if f_hz <= floor_hz or n.offset_s - n.onset_s < min_s or n.midi - middle < register_st \
                or n.confidence >= max_conf:
            return False
        h2, h3 = harmonic_levels_db(seg, sr, f_hz / 2.0, (2, 3))
        return h2 - odd_db[1] <= h3 <= h2 - odd_db[0] and harmonic_line_db(seg, sr, 1.5 * f_hz) >= line_db \
            and harmonic_line_db(seg, sr, 2.5 * f_hz) >= line_db

    return _move_octave(notes, read_at_second_harmonic, -12.0, join_st=join_st)


OVER_REGISTER_OCTAVE_ST = 13.5  # semitones over the call's weighted median pitch from which a note is read an octave high


def drop_notes_over_register(notes: list[NoteEvent], *, over_st: float = OVER_REGISTER_OCTAVE_ST,
                             join_st: float = OCTAVE_JOIN_ST) -> list[NoteEvent]:
    """``notes`` with each note lying ``over_st`` semitones or more over the call's duration-weighted median pitch
    (:func:`call_median_midi`) dropped an octave: no hummed tune reaches that far over its own middle (of the
    16,963 reference notes of dev and the held-out stand-ins r1-r6 none lies more than 12 semitones over it), so
    such a note is the tracker on the voice's 2nd harmonic where the spectral octave rules found no proof (after
    :func:`humitout.audio.f0.reread_over_register`, the notes 13-16 semitones over in 116 stress, dev and stand-in
    sets were all read an octave high; note-stage reruns over 358 sets: 14 calls up, none down, dev and the
    stand-ins unchanged; tests/bench/HISTORY.md, stop 62). A dropped note that touches a neighbour within
    ``join_st`` semitones of its new pitch joins it."""
    if len(notes) < 3:
        return list(notes)
    middle = call_median_midi(notes)
    return _move_octave(notes, lambda n: n.midi - middle >= over_st, -12.0, join_st=join_st)


UNLINED_REGISTER_ST = 7.0  # semitones under the call's weighted median pitch where a note may be read an octave low
UNLINED_LINE_DB = 7.0      # dB over its flanks under which a note's 3rd harmonic is no line (the voice is at 2f)
UNLINED_MIN_S = 0.2        # s, shortest note whose spectrum resolves that line
UNLINED_VOICE_LINE_DB = 10.0  # dB over its flanks a note's 2nd harmonic (the voice's fundamental) stands at least
UNLINED_VOICE_2ND_DB = 15.0   # dB under a note's 2nd harmonic its 4th (the voice's own 2nd) lies at most
UNLINED_SUB_DB = 25.0         # dB under a note's 2nd harmonic its fundamental (no voice there) lies at least


def lift_unlined_subharmonics(notes: list[NoteEvent], x: np.ndarray, sr: int, *,
                              register_st: float = UNLINED_REGISTER_ST, line_db: float = UNLINED_LINE_DB,
                              min_s: float = UNLINED_MIN_S, voice_line_db: float = UNLINED_VOICE_LINE_DB,
                              voice_2nd_db: float = UNLINED_VOICE_2ND_DB, sub_db: float = UNLINED_SUB_DB,
                              top_hz: float = PHONE_TOP_HZ) -> list[NoteEvent]:
    """``notes`` with each whole note the tracker followed an octave under the voice lifted an octave.

    Through a speakerphone (room reverberation over a small loudspeaker) and under babble the tracker can hold a
    whole note, 0.25-1.5 s, at half the voice's pitch (stress speaker s12 / s13 / s14, babble s15: notes sung at
    MIDI 59-66 read at 47-54, 7-14 semitones under the call's median; the clean twin reads them right), where no
    neighbour tells: the note is long, or its neighbours are low too. Read at f while the voice is at 2f, the note's
    2nd harmonic is the voice's fundamental (a clear line) and its 4th the voice's 2nd, while 3f falls midway
    between the voice's harmonics; a voice at f puts a harmonic at 3f, however weak, that stands as a line over the
    spectrum beside it. Such a note, lying ``register_st`` semitones or more under the call's duration-weighted
    median pitch, at least ``min_s`` s long and with 4f under ``top_hz``, is lifted an octave when, in the samples
    ``x`` (n,) at ``sr`` Hz over it (:func:`harmonic_line_db`, :func:`harmonic_levels_db`), its 3rd harmonic stands
    under ``line_db`` dB over its flanks, its 2nd ``voice_line_db`` dB or more, its 4th lies within ``voice_2nd_db``
    dB of its 2nd and its fundamental ``sub_db`` dB or more under it (the phone band cuts a low voice's fundamental
    too, so this last test only keeps wideband calls' low notes). On main's notes (stress speaker seeds 10-15,
    babble s15 / s17), the five notes read an octave low that far under the median have 3rd-harmonic lines of
    1.3-6.6 dB, the 27 speaker notes read right 9.5-23.3 dB. The 3rd-harmonic line alone also takes sung low notes
    of clean held-out voices whose harmonics over the 2nd are faint: their 4th lies 18-24 dB under the 2nd (held-out
    r1 / r2 "oo" hums), or their 2nd stands only 6.5-6.9 dB up (a 73 Hz voice whose harmonics the spectrum barely
    resolves), or their fundamental lies within 5-13 dB of their 2nd (r1 / r2 / r3); the three voice tests keep them
    (read with held-out r1-r3 in view). Notes read an octave low keep their fundamental 27-58 dB under their 2nd;
    ``sub_db`` (25, not 20) was set with open stress seed s19's speaker_007 in view: two notes sung at MIDI 52
    through a speakerphone, their fundamental 21 dB under their 2nd. The note keeps its times; one that touches a
    neighbour within :data:`OCTAVE_JOIN_ST` of its new pitch joins it (as in :func:`lift_octave_dips`).
    """
    if len(notes) < 3:
        return list(notes)
    middle = call_median_midi(notes)

    def read_octave_low(n: NoteEvent) -> bool:
        f_hz = _note_hz(n)
        if middle - n.midi < register_st or n.offset_s - n.onset_s < min_s or 4.0 * f_hz > top_hz:
            return False
        seg = x[int(n.onset_s * sr):int(n.offset_s * sr)]
        h1, h2, h4 = harmonic_levels_db(seg, sr, f_hz, (1, 2, 4))
        return (h1 <= h2 - sub_db and h4 >= h2 - voice_2nd_db and harmonic_line_db(seg, sr, 3.0 * f_hz) < line_db
                and harmonic_line_db(seg, sr, 2.0 * f_hz) >= voice_line_db)

    return _move_octave(notes, read_octave_low, 12.0, join_st=OCTAVE_JOIN_ST)


def _move_octave(notes: list[NoteEvent], misread: Callable[[NoteEvent], bool], shift_st: float, *,
                 join_st: float) -> list[NoteEvent]:
    """``notes`` with each note ``misread`` picks (judged on the notes as given) moved ``shift_st`` semitones
    (+12 up, -12 down), then joined to a neighbour it touches within ``join_st`` semitones of its new pitch
    (:func:`_join_lifted`)."""
    moved = [misread(n) for n in notes]
    out = [replace(n, midi=n.midi + shift_st) if m else n for n, m in zip(notes, moved)]
    return _join_lifted(out, moved, join_st=join_st)


def _join_lifted(notes: list[NoteEvent], lifted: list[bool], *, join_st: float,
                 heard: list[bool] | None = None) -> list[NoteEvent]:
    """``notes`` with each ``lifted`` one joined to a neighbour it touches within ``join_st`` semitones
    of its new pitch (the longer one's pitch; a fragment of the note's attack the tracker read right), and
    each ``heard`` one (the tracker heard its pitch from the note before it on) joined to the note before."""
    heard = heard if heard is not None else [False] * len(notes)
    merged: list[NoteEvent] = []
    for i, n in enumerate(notes):
        if merged and (lifted[i] or lifted[i - 1] or heard[i]) and gap_s(merged[-1], n) <= 1e-6 \
                and abs(merged[-1].midi - n.midi) <= join_st:
            m = merged[-1]
            longer = m if m.offset_s - m.onset_s >= n.offset_s - n.onset_s else n
            merged[-1] = replace(longer, onset_s=min(m.onset_s, n.onset_s), offset_s=max(m.offset_s, n.offset_s),
                                 confidence=max(m.confidence, n.confidence))
            continue
        merged.append(n)
    return merged


LOW_BETWEEN_MISSING_DB = 8.0   # dB: odd harmonics all this far under the 2nd of a note a fifth under both neighbours
LOW_BETWEEN_SURE_CONF = 0.9    # mean confidence from which the tracker's reading of such a note stands
LOW_BETWEEN_REGISTER_ST = 6.5  # semitones under the call's duration-weighted median such a note lies
LOW_BETWEEN_GAP_S = 0.5        # s, longest gap to a neighbour that tells the line around such a note


def lift_octave_low_between(notes: list[NoteEvent], x: np.ndarray, sr: int, *, under_st: float = TALKER_LEAP_ST,
                            near_st: float = OCTAVE_NEAR_ST, register_st: float = LOW_BETWEEN_REGISTER_ST,
                            missing_db: float = LOW_BETWEEN_MISSING_DB, sure_conf: float = LOW_BETWEEN_SURE_CONF,
                            floor_hz: float = LAG_FLOOR_HZ, phrase_gap_s: float = LOW_BETWEEN_GAP_S,
                            join_st: float = OCTAVE_JOIN_ST) -> list[NoteEvent]:
    """``notes`` with a single note a phone codec coded at twice a high voice's period, read an octave low between
    two notes of the voice's register, lifted an octave.

    A child's D5 or E5 (587-659 Hz) through AMR-NB is coded with a pitch lag of two periods (see
    :func:`lift_lag_floor_subharmonics`) and read at D4 or E4 for a whole short note, at confidence 0.37-0.85,
    between neighbours the tracker read right. Its 2nd harmonic stands out of odd harmonics the codec half fills:
    8-27 dB over them, under the strong and the weak bars of :func:`lift_lag_floor_subharmonics` (24 and 12 dB),
    and mostly at 196-300 Hz, where that function's weak bar is not tried. The line around it says where the voice
    is: the note is lifted when both neighbours lie within ``phrase_gap_s`` s and ``under_st`` semitones (a fifth)
    or more over it, its octave up within ``near_st`` semitones of their span, it lies ``register_st`` semitones
    or more under the call's duration-weighted median, its 2f over ``floor_hz``, its mean confidence under
    ``sure_conf``, and its odd harmonics all ``missing_db`` dB or more under its 2nd (:func:`odd_partials_missing_db`).
    A sung low note between high ones keeps a neighbour within a fourth (a held-out pedal note, a child's
    falling fourth through a loudspeaker), is heard more surely, or shows its own odd harmonics. Lifted notes join
    a touching neighbour as in :func:`lift_octave_dips` (``join_st``)."""
    if len(notes) < 3:
        return list(notes)
    out, lifted = list(notes), [False] * len(notes)
    middle = call_median_midi(notes)
    for i in range(1, len(notes) - 1):
        n = notes[i]
        if (n.confidence >= sure_conf or n.midi > middle - register_st
                or not _under_line(notes[i - 1], n, notes[i + 1], under_st=under_st, shift_st=12.0, near_st=near_st,
                                   phrase_gap_s=phrase_gap_s)):
            continue
        missing = odd_partials_missing_db(n, x, sr, floor_hz=floor_hz)
        if missing is not None and missing >= missing_db:
            out[i], lifted[i] = replace(n, midi=n.midi + 12.0), True
    return _join_lifted(out, lifted, join_st=join_st)


OCTAVE_RUN_UNDER_ST = 7.0  # semitones (a fifth): notes this far under both notes around them may be read an octave low
OCTAVE_ODD_BAND_HZ = (250.0, 1500.0)  # Hz, band where a sub-harmonic's missing odd harmonics are read under babble
OCTAVE_MIN_ODD = 3  # odd harmonics a run's notes need in that band, together, for their absence to be read
OCTAVE_RUN_MIN_NOTES = 2  # notes in the shortest run lifted (a single low note between high ones is often sung)


def _n_sung(notes: list[NoteEvent], *, jump_st: float = JUMP_ST) -> int:
    """How many notes consecutive ``notes`` are once the pieces of one note are counted once: a note
    touching the one before it within ``jump_st`` semitones of its pitch is the same note, split."""
    return 1 + sum(1 for a, b in zip(notes, notes[1:]) if gap_s(a, b) > 1e-6 or abs(a.midi - b.midi) > jump_st)


def lift_subharmonic_runs(notes: list[NoteEvent], x: np.ndarray, sr: int, *, under_st: float = OCTAVE_RUN_UNDER_ST,
                          near_st: float = OCTAVE_NEAR_ST, register_st: float = OCTAVE_REGISTER_ST,
                          sub_db: float = PARTIAL_SUB_DB, odd_band_hz: tuple[float, float] = OCTAVE_ODD_BAND_HZ,
                          min_odd: int = OCTAVE_MIN_ODD, min_notes: int = OCTAVE_RUN_MIN_NOTES,
                          max_s: float = SUBHARMONIC_MAX_S,
                          join_st: float = OCTAVE_JOIN_ST, phrase_gap_s: float = PHRASE_GAP_S) -> list[NoteEvent]:
    """``notes`` with runs of notes the tracker read an octave under the caller lifted an octave.

    A run of ``min_notes`` or more consecutive notes (:func:`_n_sung`; each gap at most ``phrase_gap_s`` s, onset of the
    first to offset of the last at most ``max_s`` s) between two notes of its phrase is lifted when every
    note of it lies ``under_st`` semitones or more under both of them, an octave up within ``near_st``
    semitones of the span of their pitches, ``register_st`` semitones or more under the call's
    duration-weighted median pitch, and shows no odd harmonics: in ``odd_band_hz`` of the samples ``x``
    (n,) at ``sr`` Hz over the note, the harmonics of its pitch that are not harmonics of the octave
    above lie ``sub_db`` dB or more under those that are (:func:`subharmonic_strength_db`), read where
    the run's notes hold ``min_odd`` or more odd harmonics in that band together (a note over 300 Hz has
    one there). That is the tracker on half the caller's pitch for a few notes in a row (a talker's
    voice under the caller pulls it down), which :func:`lift_octave_dips` (one note, 10.5 semitones
    under, no spectrum) and :func:`fold_partial_notes` (an octave under a neighbour, odd harmonics read
    up to 3.4 kHz, where babble fills them in) miss. A single note is left to :func:`lift_octave_dips`:
    a low note between high ones is often sung (a pedal note: held-out r2 heldout_007 alternates G#3
    with D#4-G#4), and a sung note's formants can take its odd harmonics under 1.5 kHz down as far
    (16 dB there; r1 heldout_009's B3, 12 dB). Lifted notes join a touching neighbour as in
    :func:`lift_octave_dips` (``join_st``).
    """
    out = list(notes)
    lifted = [False] * len(out)
    if len(out) < 3:
        return out
    middle = call_median_midi(notes)
    odd_db: dict[int, float] = {}

    def no_odd(i: int) -> bool:
        if i not in odd_db:
            seg = x[int(out[i].onset_s * sr):int(out[i].offset_s * sr)]
            odd_db[i] = (subharmonic_strength_db(seg, sr, 2.0 * float(midi_to_hz(out[i].midi)), 2,
                                                 band_hz=odd_band_hz) if len(seg) >= 256 else np.inf)
        return odd_db[i] <= -sub_db

    def n_odd(i: int) -> int:
        f_hz = float(midi_to_hz(out[i].midi))
        return sum(1 for h in range(1, int(odd_band_hz[1] / f_hz) + 1, 2) if h * f_hz >= odd_band_hz[0])

    i = 1
    while i < len(out) - 1:
        p, j = out[i - 1], i
        while (j < len(out) - 1 and out[j].offset_s - out[i].onset_s <= max_s
               and gap_s(out[j - 1], out[j]) <= phrase_gap_s
               and out[j].midi <= min(p.midi - under_st, middle - register_st)):
            q = out[j + 1]
            run = range(i, j + 1)
            lo, hi = min(p.midi, q.midi), max(p.midi, q.midi)
            if (_n_sung(out[i:j + 1]) >= min_notes and gap_s(out[j], q) <= phrase_gap_s
                    and all(lo - out[k].midi >= under_st and lo - near_st <= out[k].midi + 12.0 <= hi + near_st
                            for k in run)
                    and sum(n_odd(k) for k in run) >= min_odd and all(no_odd(k) for k in run)):
                for k in run:
                    out[k] = replace(out[k], midi=out[k].midi + 12.0)
                    lifted[k] = True
                i = j
                break
            j += 1
        i += 1
    return _join_lifted(out, lifted, join_st=join_st)


def fold_partial_notes(notes: list[NoteEvent], x: np.ndarray, sr: int, *, max_s: float = PARTIAL_MAX_S,
                       sub_db: float = PARTIAL_SUB_DB, sub_max_s: float = SUBHARMONIC_MAX_S,
                       phrase_gap_s: float = PHRASE_GAP_S,
                       level_db: np.ndarray | None = None, hop_s: float = 0.01,
                       louder_db: float | None = PARTIAL_LOUDER_DB) -> list[NoteEvent]:
    """Notes with short jumps to a strong 2nd-4th partial folded back into the real note.

    A note of at most ``max_s`` s that continues a neighbour without a break, and lies an
    octave, an octave and a fifth or two octaves (k = 2, 3, 4; within 1 semitone) above it, is
    the tracker locking onto the k-th partial when the spectrum over the note (samples ``x`` (n,)
    at ``sr`` Hz) shows the harmonics of f/k between its own, within ``sub_db`` dB of them
    (:func:`subharmonic_strength_db`): it then takes the neighbour's pitch and joins it. Not when
    the note is ``louder_db`` dB or more louder than that neighbour (medians of the frame levels
    ``level_db`` (n,) dB, frames of ``hop_s`` s; no level, no such test): the tracker slipping onto a
    partial reads the same voice, so the level runs on or falls as the fundamental weakens, while a
    singer leaping an octave up sings louder (a voice's level rises with its pitch). The spectrum
    alone cannot tell where a noise floor or a suppressor's residual fills the band over the voice's
    harmonics: there the half-pitch multiples read as loud as the note's own, and the comparison
    says "partial" whatever the pitch (stress s14 ns_agc_003, MIDI 46.2 then a sung 58.0 for 0.31 s
    at 8.21 s: -0.9 dB against the clean twin's -11.5, harmonics over 1.5 kHz at the floor). On stress
    seeds 10-15, all 14 conditions, of the 37 pieces at a touching neighbour's partial, the 7 tracker
    locks lie -7.0 to +2.1 dB against their note; 7 sung notes the spectrum test folded lie +5.3 to
    +12.0 dB over theirs (freed), 8 others -5.2 to +1.7 dB (still folded).

    A note of at most ``sub_max_s`` s an octave under a neighbour in its phrase (touching it or
    at most ``phrase_gap_s`` s away) whose odd harmonics are ``sub_db`` dB or more under its
    even ones is the tracker taking a sub-harmonic (AMR-NB codes voices above ~444 Hz with twice
    their period, for whole notes): it takes the neighbour's pitch (and joins it when touching).
    Such notes can follow one another (a neighbour lifted this way counts), so the check runs
    until nothing changes.
    """
    out = list(notes)
    folded = [False] * len(out)
    for i, n in enumerate(out):
        if n.offset_s - n.onset_s > max_s:
            continue
        seg = x[int(n.onset_s * sr):int(n.offset_s * sr)]
        if len(seg) < 256:
            continue
        f_hz = _note_hz(n)
        nbrs = [j for j in (i - 1, i + 1) if 0 <= j < len(out) and abs(gap_s(n, out[j])) < 1e-6]
        for k in (2, 3, 4):   # locked onto the k-th partial of the neighbour's pitch
            near = [j for j in nbrs if abs(n.midi - 12.0 * np.log2(k) - out[j].midi) <= 1.0]
            if near and level_db is not None and louder_db is not None and (
                    note_level_db(level_db, n, hop_s) - note_level_db(level_db, out[near[0]], hop_s)
                    >= louder_db):
                break   # louder than the note it would belong to: the voice leapt, the tracker did not
            if near and subharmonic_strength_db(seg, sr, f_hz, k) >= -sub_db:
                out[i] = replace(n, midi=out[near[0]].midi)
                folded[i] = True
                break
    odd_db: dict[int, float] = {}   # odd-harmonic strength (dB) of an unfolded note: its own, the same every pass
    changed = True
    while changed:   # an octave under a phrase neighbour with no odd harmonics: a sub-harmonic
        changed = False
        for i, n in enumerate(out):
            if folded[i] or n.offset_s - n.onset_s > sub_max_s:
                continue
            near = [j for j in (i - 1, i + 1) if 0 <= j < len(out) and gap_s(n, out[j]) <= phrase_gap_s
                    and abs(n.midi + 12.0 - out[j].midi) <= 1.0]
            if not near:
                continue
            if i not in odd_db:
                seg = x[int(n.onset_s * sr):int(n.offset_s * sr)]
                odd_db[i] = (subharmonic_strength_db(seg, sr, 2.0 * _note_hz(n), 2)
                             if len(seg) >= 256 else np.inf)
            if odd_db[i] <= -sub_db:
                out[i] = replace(n, midi=out[near[0]].midi)
                folded[i] = changed = True
    merged: list[NoteEvent] = []
    for i, n in enumerate(out):
        if merged and (folded[i] or folded[i - 1]) and abs(merged[-1].offset_s - n.onset_s) < 1e-6 \
                and abs(merged[-1].midi - n.midi) <= 0.5:
            m = merged[-1]
            merged[-1] = replace(m, offset_s=n.offset_s, confidence=max(m.confidence, n.confidence))
            continue
        merged.append(n)
    return merged
