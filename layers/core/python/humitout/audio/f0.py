"""Frame-level f0 at a 10 ms hop, robust to a missing fundamental.

swift-f0 (a small ONNX CNN on the 16 kHz waveform) gives a pitch and a voicing confidence every
16 ms. Its model is run in two halves (:class:`SplitSwiftF0`): the log band spectrogram it
reads is computed here with FFTs, and onnxruntime runs only its CNN (files written by
``tests/bench/make_f0_split_model.py`` from swift-f0's wheel). Its pitch is
interpolated in the log domain onto the 10 ms grid. Before that, on the tracker's
own frames (interpolating across an octave flip would leave in-between pitches
that no longer look like a jump), a three-state Viterbi over
the octave candidates {f/2, f, 2f} folds back short octave excursions
(the classic error when the fundamental is 17-22 dB under the 2nd harmonic):
staying on the tracker's own answer is free, a different octave costs a little
per frame, and a jump of more than ``OCTAVE_JUMP_ST`` semitones between
consecutive voiced frames costs a lot. Octave leaps held longer than about
``JUMP_COST / FOLD_COST`` frames are kept as sung. A weakly voiced stretch where the
tracker's answer wavers between one pitch and its sub-harmonics (f/2 ... f/6, a high voice
with weak partials) is folded onto that pitch and marked (``PitchTrack.wavering``) so the
segmenter voices it (:func:`fold_subharmonic_wavering`).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.fft
import scipy.sparse
from scipy.ndimage import median_filter
from numpy.lib.stride_tricks import sliding_window_view

from humitout.audio.arrays import true_runs

HOP_S = 0.01            # s, output frame period
VOICED_CONF = 0.5       # swift-f0 is calibrated so that conf >= 0.5 means voiced
FMIN_HZ, FMAX_HZ = 55.0, 1400.0
OCTAVE_JUMP_ST = 9.0    # a frame-to-frame jump this large (semitones) is suspect
JUMP_COST = 1.0
FOLD_COST = 0.15        # per frame moved off the tracker's octave
WAVER_CONF = 0.05       # confidence down to which a stretch wavering between a pitch and its sub-harmonics is read
WAVER_TOL_ST = 0.4      # semitones: a frame this close to f / k (k = 1 ... 6) is on the pitch f
WAVER_SHARE = 0.8       # share of a stretch's frames that must be on one pitch f
WAVER_MIN_SUB = 0.1     # share of those that must be on a sub-harmonic of f (k >= 2) ...
WAVER_MAX_SUB = 0.5     # ... and at most on one (the tracker answers f itself most of the time),
WAVER_EACH_SUB = 0.1    # ... unless this share or more lies on each of two sub-harmonics (only f has both)
WAVER_MIN_S = 0.14      # s, shortest such stretch
WAVER_HELD_S = 0.048    # s, voiced runs this long or longer are notes, not part of a stretch
CONFIRM_TOL_ST = 0.5    # semitones: the unsuppressed call's tracker frame confirms a pitch this close
CONFIRM_SPAN = 5        # tracker frames over which the suppressed call's pitch is taken as a median
REREAD_MARGIN_ST = 8.0     # semitones under the caller's register from which a reading is another voice's
REREAD_REGISTER_PCT = 5.0  # percentile of the confident loud frames' pitch taken as the caller's register
REREAD_ANCHOR_CONF = 0.7   # confidence of the frames that give the caller's register
REREAD_ANCHOR_DB = 6.0     # dB under the call's 90th-percentile voiced level those frames reach
REREAD_LEVEL_DB = 10.0     # dB under the caller's local level down to which a frame is asked
REREAD_ASKED_CONF = 0.3    # confidence from which a reading under the register is another voice the tracker followed
REREAD_LOCAL_S = 1.5       # s either side over which the caller's local level is read
REREAD_MIN_FRAMES = 4      # frames a re-read run must hold (and the least asked at all)
REREAD_MIN_ANCHORS = 20    # confident loud frames needed to know the caller's register
REREAD_STEADY_ST = 0.5     # semitones within which a re-read run holds its median
REREAD_EDGE_ST = 2.0       # semitones over the band's lowest pitch a re-read run must lie (not pinned to it)
REREAD_REACH_S = 0.3       # s either side within which the caller's notes give the line
REREAD_NEAR_ST = 7.0       # semitones from the caller's nearest in-register frame a re-read run may lie
REREAD_CONTEXT_S = 0.5     # s of the call either side of the asked frames the tracker reads them in
OVER_REGISTER_PCT = 75.0   # percentile of the confident loud frames' pitch a reading far over the caller is measured from
OVER_REGISTER_ST = 15.0    # semitones over that pitch from which a reading is no sung pitch
OVER_BAND_ST = 12.0        # semitones over that pitch where the re-read band ends

_detector = None
_lock = threading.Lock()


@dataclass
class PitchTrack:
    """f0 on a regular grid: frame ``i`` is at ``i * hop_s`` seconds.

    ``hz`` (n,) is the pitch estimate in Hz in every frame (also unvoiced ones),
    ``confidence`` (n,) the voicing confidence in [0, 1], ``voiced`` (n,) bool; ``wavering`` (n,) bool
    marks weakly voiced frames where the tracker wavered between ``hz`` and its sub-harmonics
    (:func:`fold_subharmonic_wavering`; None: none read).
    """

    hz: np.ndarray
    confidence: np.ndarray
    voiced: np.ndarray
    hop_s: float = HOP_S
    wavering: np.ndarray | None = None

    @property
    def times(self) -> np.ndarray:
        """Frame times in seconds, shape (n,)."""
        return np.arange(len(self.hz)) * self.hop_s

    @property
    def midi(self) -> np.ndarray:
        """Pitch as fractional MIDI numbers (n,); NaN where ``hz`` is not positive."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.hz > 0, 69.0 + 12.0 * np.log2(self.hz / 440.0), np.nan)


@dataclass
class ModelFrames:
    """swift-f0's answer on its own frames: frame ``i`` (centred on sample ``i * 256`` at 16 kHz)
    is at ``timestamps[i]`` s, with ``pitch_hz`` and voicing ``confidence`` (all (t,))."""

    timestamps: np.ndarray
    pitch_hz: np.ndarray
    confidence: np.ndarray


class SplitSwiftF0:
    """swift-f0's detector, its model run as two halves with the same result.

    The model's graph builds its input, three log band spectrograms, with dense real matrix
    products that work out every complex bin: about a third of its CPU time. Here those spectra
    are FFTs (float32, as in the graph) and each band sum a sparse product
    (``swift_f0_bands.npz``); onnxruntime runs only the CNN (``swift_f0_cnn.onnx``, the model's own
    nodes and weights, its 12-channel feature maps padded to 16 zero channels, the channel block of
    onnxruntime's blocked convolutions: a quarter less CPU on AVX-512). Pitch agrees with
    swift-f0's ``detect`` to within 0.01 cent and confidence to 1e-4 (float rounding). Long
    recordings are cut into the same windows, with
    the same context, as swift-f0's ``detect``, and frames whose 256 samples peak under
    ``SILENCE_PEAK`` get confidence 0 as there. ``folder`` holds the two files; ``threads`` is
    onnxruntime's intra-op thread count (1: a Lambda's share of a core, no thread pool).
    """

    def __init__(self, folder: Path = Path(__file__).parent, threads: int = 1) -> None:
        import onnxruntime  # load once per process
        from swift_f0 import core
        self._core = core
        front = np.load(folder / "swift_f0_bands.npz")
        self._eps = front["eps"]
        self._spectra = []
        for i in range(3):
            window = front[f"window{i}"]
            bank = scipy.sparse.csr_matrix((front[f"weight{i}"], (front[f"band{i}"], front[f"bin{i}"])),
                                           shape=(int(front[f"bands{i}"]), len(window) // 2 + 1))
            self._spectra.append((window, bank))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        self._cnn = onnxruntime.InferenceSession(str(folder / "swift_f0_cnn.onnx"), options,
                                                 providers=["CPUExecutionProvider"])

    @property
    def frame_samples(self) -> int:
        """Samples of 16 kHz audio from one of the model's frames to the next."""
        return self._core.HOP

    def band_spectrogram(self, audio: np.ndarray) -> np.ndarray:
        """The CNN's input for float32 16 kHz ``audio`` (n,): (1, 3, bands, frames) log band levels,
        one frame per whole 256 samples (at least one), each spectrum's window centred on its
        frame's first sample, zeros beyond the ends."""
        hop = self._core.HOP
        n = max(len(audio) // hop, 1)
        whole = -(-max(len(audio), hop) // hop) * hop          # the graph pads to whole hops
        out = np.empty((1, 3, self._spectra[0][1].shape[0], n), np.float32)
        for i, (window, bank) in enumerate(self._spectra):
            half = len(window) // 2
            padded = np.zeros(whole + 2 * half, np.float32)
            padded[half:half + len(audio)] = audio
            frames = sliding_window_view(padded, len(window))[::hop][:n] * window
            out[0, i] = np.log(bank @ np.abs(scipy.fft.rfft(frames, axis=1)).T + self._eps)
        return out

    def _run(self, audio: np.ndarray, fmin: float, fmax: float) -> tuple[np.ndarray, np.ndarray]:
        pitch, confidence = self._cnn.run(["pitch", "confidence"], {
            "bands": self.band_spectrogram(audio), "fmin": np.asarray(fmin, np.float32),
            "fmax": np.asarray(fmax, np.float32)})
        pitch, confidence = np.asarray(pitch[0], np.float64), np.asarray(confidence[0], np.float64)
        hop, n = self._core.HOP, len(confidence)
        hops = audio[:n * hop].reshape(n, hop) if len(audio) >= hop else audio[None, :]
        confidence[np.abs(hops).max(axis=1) < self._core.SILENCE_PEAK] = 0.0
        return pitch, confidence

    def detect(self, audio: np.ndarray, sample_rate: int, fmin: float | None = None,
               fmax: float | None = None) -> ModelFrames:
        """Pitch and confidence of mono ``audio`` (n,) at 16 kHz, as swift-f0's ``detect``."""
        core = self._core
        if sample_rate != core.SAMPLE_RATE:
            raise ValueError(f"the pitch model reads {core.SAMPLE_RATE} Hz audio, got {sample_rate}")
        fmin = core.FMIN if fmin is None else max(core.FMIN, fmin)
        fmax = core.FMAX if fmax is None else min(core.FMAX, fmax)
        signal = np.asarray(audio, np.float32)
        if signal.size == 0:
            raise ValueError("audio must not be empty")
        hop, n = core.HOP, max(1, len(signal) // core.HOP)
        parts = []
        for start in range(0, n, core.WINDOW_FRAMES):
            end = min(start + core.WINDOW_FRAMES, n)
            left = max(0, start - core.LEFT_FRAMES)
            window = (signal[left * hop:(end + core.LOOKAHEAD_FRAMES) * hop] if end < n
                      else signal[left * hop:])
            parts.append([values[start - left:end - left] for values in self._run(window, fmin, fmax)])
        pitch, confidence = (np.concatenate([part[i] for part in parts]) for i in range(2))
        return ModelFrames(np.arange(len(pitch)) * core.FRAME_PERIOD, pitch, confidence)


def _swift():
    global _detector
    with _lock:
        if _detector is None:
            _detector = SplitSwiftF0()
        return _detector


def fix_octaves(midi: np.ndarray, voiced: np.ndarray) -> np.ndarray:
    """Fold short octave excursions of ``midi`` (n,) back, inside each voiced run.

    Viterbi over the shifts {-12, 0, +12} semitones; returns the corrected (n,) MIDI. The costs are
    arrays worked out for the whole run at once; the three-state recursion runs on Python floats
    (the same float64 sums, in the same order, as array operations per frame, several times faster
    on three states).
    """
    out = midi.copy()
    shifts = np.array([-12.0, 0.0, 12.0])
    for a, b in zip(*true_runs(voiced)):
        m = midi[a:b]
        cand = m[:, None] + shifts[None, :]                      # (t, 3)
        # moving off the tracker's octave costs FOLD_COST; never below 55 Hz or above ~1400 Hz
        emit = np.where(shifts == 0, 0.0, FOLD_COST)[None, :] + np.where(
            (cand < 33.0) | (cand > 93.0), np.inf, 0.0)
        emit[:, 1] = 0.0                                         # the tracker's own answer stays allowed
        # step[t - 1][i][j]: the cost of going from state i at frame t - 1 to state j at frame t
        step = (JUMP_COST * (np.abs(cand[1:, None, :] - cand[:-1, :, None]) > OCTAVE_JUMP_ST)).tolist()
        emits = emit.tolist()
        cost, back = emits[0], []
        for st, em in zip(step, emits[1:]):
            came, new = [], []
            for j in range(3):
                best_i, best = 0, cost[0] + st[0][j]
                for i in (1, 2):
                    total = cost[i] + st[i][j]
                    if total < best:                             # the first of equal costs, as argmin
                        best_i, best = i, total
                came.append(best_i)
                new.append(best + em[j])
            back.append(came)
            cost = new
        state = min(range(3), key=cost.__getitem__)
        states = [state]
        for came in reversed(back):
            state = came[state]
            states.append(state)
        out[a:b] = cand[np.arange(b - a), states[::-1]]
    return out


def fold_subharmonic_wavering(midi: np.ndarray, conf: np.ndarray, frame_s: float, *,
                              min_conf: float = WAVER_CONF, tol_st: float = WAVER_TOL_ST,
                              share: float = WAVER_SHARE, min_sub: float = WAVER_MIN_SUB,
                              max_sub: float = WAVER_MAX_SUB, each_sub: float | None = WAVER_EACH_SUB,
                              min_s: float = WAVER_MIN_S, held_s: float = WAVER_HELD_S,
                              max_k: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """The tracker's own frames' pitch ``midi`` (t,) (``frame_s`` s apart, confidence ``conf`` (t,))
    with stretches that waver between one pitch and its sub-harmonics folded onto that pitch, and
    the (t,) mask of the folded frames.

    On a high voice with weak partials (a child's "mm" at 600 Hz and up) the tracker's confidence
    sinks to 0.1-0.45 and its answer jumps frame by frame between the pitch f and f/2, f/3, f/5:
    each answer is a period of the same waveform, so all agree on f. A stretch of frames with
    confidence ``min_conf`` or more, at least ``min_s`` s long, outside voiced runs (confidence
    ``VOICED_CONF`` or more) of ``held_s`` s or more, is folded when a pitch f of its own frames
    explains at least ``share`` of them (each within ``tol_st`` semitones of f / k, k = 1 ...
    ``max_k``) and at least ``min_sub`` but at most ``max_sub`` of those lie on a sub-harmonic (k >= 2:
    a steady low tone is no sub-harmonic of one frame over it); frames between its
    first and last explained frame that no k explains take the next explained frame's pitch. Noise
    and speech at low confidence do not fall on one pitch's sub-harmonics."""
    out, mask = midi.copy(), np.zeros(len(midi), bool)
    up = 12.0 * np.log2(np.arange(1, max_k + 1))              # semitones from f / k up to f
    held = np.zeros(len(midi), bool)
    for a, b in zip(*true_runs(conf >= VOICED_CONF)):
        held[a:b] = (b - a) * frame_s >= held_s - 1e-9
    cand = (conf >= min_conf) & ~held & np.isfinite(midi)
    for a, b in zip(*true_runs(cand)):
        if (b - a) * frame_s < min_s - 1e-9:
            continue
        m = midi[a:b]
        best, best_k = -1, None
        for f in np.unique(np.round(m, 1)):
            off = np.abs(m[:, None] + up[None, :] - f)            # (t, k)
            k = np.where(off.min(axis=1) <= tol_st, off.argmin(axis=1), -1)
            if np.sum(k >= 0) > best:
                best, best_k = int(np.sum(k >= 0)), k
        on = best_k >= 0
        n_sub = int(np.sum(best_k >= 1))
        on_two = each_sub is not None and np.sum(np.bincount(best_k[on], minlength=max_k)[1:] >= each_sub * best) >= 2
        if best >= share * (b - a) and min_sub * best <= n_sub and (n_sub <= max_sub * best or on_two):
            idx = np.flatnonzero(on)
            # frames between folded ones that no sub-harmonic explains are the same voice's outliers
            near = idx[np.clip(np.searchsorted(idx, np.arange(b - a)), 0, len(idx) - 1)]
            folded = m + up[np.maximum(best_k, 0)]
            out[a:b] = np.where(on, folded, folded[near])
            out[a:a + idx[0]], out[a + idx[-1] + 1:b] = m[:idx[0]], m[idx[-1] + 1:]
            mask[a + idx[0]:a + idx[-1] + 1] = True
    return out, mask


def midi_to_hz(midi):
    """Frequency (Hz) of a MIDI pitch (float or array; A4 = 69 = 440 Hz)."""
    return 440.0 * 2.0 ** ((np.asarray(midi, float) - 69.0) / 12.0)


def confirm_frames(res: ModelFrames, other: ModelFrames, *, tol_st: float = CONFIRM_TOL_ST,
                   span: int = CONFIRM_SPAN) -> ModelFrames:
    """``res`` with the frames that ``other`` (the tracker's answer on another version of the same
    call, same frames) confirms read with the mean of the two confidences when that is higher. A
    frame is confirmed when ``other``'s pitch is within ``tol_st`` semitones of the median of
    ``res``'s pitch over the ``span`` frames centred on it; a confirmed frame whose own pitch is off
    that median by more than ``tol_st`` (a lone jump to a harmonic) takes ``other``'s pitch. Other
    frames are ``res``'s own. The mean, not the higher one: a held note's vibrato read at full
    confidence splits into notes."""
    own = 12.0 * np.log2(np.maximum(res.pitch_hz, 1e-3))
    near = median_filter(own, size=span, mode="nearest")
    heard = 12.0 * np.log2(np.maximum(other.pitch_hz, 1e-3))
    agree = (res.pitch_hz > 0) & (other.pitch_hz > 0) & (np.abs(heard - near) <= tol_st)
    mean = 0.5 * (res.confidence + other.confidence)
    confirm = agree & (mean > res.confidence)
    pitch = np.where(confirm & (np.abs(own - near) > tol_st), other.pitch_hz, res.pitch_hz)
    return ModelFrames(res.timestamps, pitch, np.where(confirm, mean, res.confidence))


def track_f0(x: np.ndarray, sr: int, *, unsuppressed: np.ndarray | None = None) -> PitchTrack:
    """f0 of mono samples ``x`` (n,) at ``sr`` Hz (16 kHz avoids a resample) on a 10 ms grid.

    ``unsuppressed`` (n,): the call before noise suppression when ``x`` is suppressed; a frame
    where the tracker hears the same pitch in it more confidently is read with the mean of the two
    confidences, and a lone jump to a harmonic there with its pitch (:func:`confirm_frames`): a
    suppressor also thins the harmonics of a voice near the noise floor, which the tracker still
    follows through the noise (stress noise: a male voice at 93 Hz under car noise, confidence
    0.6-0.7 in the call, 0.1-0.2 after suppression)."""
    res = _swift().detect(x, sr, fmin=FMIN_HZ, fmax=FMAX_HZ)
    if unsuppressed is not None:
        res = confirm_frames(res, _swift().detect(unsuppressed, sr, fmin=FMIN_HZ, fmax=FMAX_HZ))
    n = int(np.floor(len(x) / sr / HOP_S))
    t = np.arange(n) * HOP_S
    conf = np.interp(t, res.timestamps, res.confidence)
    ok = res.pitch_hz > 0
    if not ok.any():
        return PitchTrack(np.zeros(n), conf, np.zeros(n, bool))
    # octaves are settled on the tracker's own frames: interpolating across an octave flip first
    # would put in-between pitches there, which a frame-to-frame jump test no longer sees
    native = 69.0 + 12.0 * np.log2(res.pitch_hz[ok] / 440.0)
    native = fix_octaves(native, res.confidence[ok] >= VOICED_CONF)
    frame_s = float(np.median(np.diff(res.timestamps))) if len(res.timestamps) > 1 else HOP_S
    native, waver = fold_subharmonic_wavering(native, res.confidence[ok], frame_s)
    midi = np.interp(t, res.timestamps[ok], native)
    voiced = conf >= VOICED_CONF
    wavering = np.interp(t, res.timestamps[ok], waver.astype(float)) >= 0.5
    return PitchTrack(midi_to_hz(midi), conf, voiced, wavering=wavering)


def _register_midi(track: PitchTrack, energy_db: np.ndarray, pct: float, *, anchor_conf: float, anchor_db: float,
                   min_anchors: int) -> float | None:
    """The ``pct`` percentile of the pitch (MIDI) of the confident (``anchor_conf``), loud (within ``anchor_db`` dB of
    the call's 90th-percentile voiced level, ``energy_db`` (n,) dB) frames of ``track``; None where there are fewer
    than ``min_anchors`` of them."""
    n = min(len(track.hz), len(energy_db))
    e, m, conf, voiced = energy_db[:n], track.midi[:n], track.confidence[:n], track.voiced[:n]
    if not voiced.any():
        return None
    loud = float(np.percentile(e[voiced], 90))
    anchor = voiced & (conf >= anchor_conf) & (e >= loud - anchor_db) & np.isfinite(m)
    return float(np.percentile(m[anchor], pct)) if anchor.sum() >= min_anchors else None


def _band_reading(x: np.ndarray, sr: int, n: int, hop_s: float, *, fmin: float, fmax: float, asked: np.ndarray,
                  context_s: float = REREAD_CONTEXT_S) -> np.ndarray | None:
    """The pitch (MIDI, (n,) on the ``hop_s`` grid) swift-f0 reads in ``x`` at ``sr`` Hz limited to ``fmin``-``fmax``
    Hz around the ``asked`` frames ((n,) bool), interpolated over the frames where it gives none; NaN away from them;
    None where it gives none at all. The tracker reads each run of asked frames with ``context_s`` s either side
    (runs whose context meets read together, cut on the tracker's own frames), not the whole call: its network
    sees 12 of its 16 ms frames either side of a frame, so the asked frames read exactly as in the whole call
    (tried: the model's outputs the same to the bit from 12 frames of context on), and a call asks a few notes'
    worth (stress babble: 6 of 12 calls re-read, this was a sixth of their CPU)."""
    hop = _swift().frame_samples
    spans = []
    for a, b in zip(*true_runs(asked[:n])):
        start = max(int((a * hop_s - context_s) * sr) // hop * hop, 0)
        end = min(-(-int((b * hop_s + context_s) * sr) // hop) * hop, len(x))
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    times, midi = [], []
    for start, end in spans:
        res = _swift().detect(x[start:end], sr, fmin=fmin, fmax=fmax)
        ok = res.pitch_hz > 0
        times.append(start / sr + res.timestamps[ok])
        midi.append(69.0 + 12.0 * np.log2(res.pitch_hz[ok] / 440.0))
    if not spans or not sum(len(t) for t in times):
        return None
    t = np.arange(n) * hop_s
    read = np.zeros(n, bool)
    for start, end in spans:
        read |= (t >= start / sr) & (t < end / sr)
    return np.where(read, np.interp(t, np.concatenate(times), np.concatenate(midi)), np.nan)


def reread_over_register(track: PitchTrack, energy_db: np.ndarray, x: np.ndarray, sr: int, *,
                         over_st: float = OVER_REGISTER_ST, band_st: float = OVER_BAND_ST,
                         register_pct: float = OVER_REGISTER_PCT, anchor_conf: float = REREAD_ANCHOR_CONF, anchor_db: float = REREAD_ANCHOR_DB,
                         min_anchors: int = REREAD_MIN_ANCHORS, min_frames: int = REREAD_MIN_FRAMES,
                         reach_s: float = REREAD_REACH_S, near_st: float = REREAD_NEAR_ST,
                         edge_st: float = REREAD_EDGE_ST) -> PitchTrack:
    """``track`` with the voiced frames read ``over_st`` semitones or more over the caller's register read again
    by the tracker limited to pitches up to ``band_st`` semitones over it.

    No hummed tune reaches that far over its own middle: of the 16,963 reference notes of the dev set and the
    held-out stand-ins r1-r6, none lies more than 12 semitones over its call's duration-weighted median pitch.
    Such readings are the tracker on a resonance, mostly near 1.1 kHz (MIDI 84-86), 20-38 semitones over a
    nasal or low voice heard through a loudspeaker, AMR-NB or noise (37 notes in about 4,000 stress calls,
    none of them a sung note; tests/bench/HISTORY.md, stop 62). Limited to the caller's band, the tracker reads
    the voice's own pitch there even where its confidence says nothing. The register is the ``register_pct``
    percentile of the pitch of the (``min_anchors`` or more) confident (``anchor_conf``), loud (within
    ``anchor_db`` dB of the call's 90th-percentile voiced level, ``energy_db`` (n,) dB) frames, as
    :func:`reread_callers_band` reads it from its low end: a caller who talks before humming talks lower than
    the hum, and a percentile over the median keeps the hum's own notes under the line;
    swift-f0 runs again on ``x`` (n,) at ``sr`` Hz only where ``min_frames`` or more frames are asked. Its pitch
    replaces the first reading over each run of asked frames where its median lies ``edge_st`` semitones or more
    under the band's top (not pinned to it), is no octave of the first reading (a sung note read an octave
    low in a band that cannot hold it; left to the octave rules) and lies within ``near_st`` semitones of a
    voiced frame read under the line within ``reach_s`` s (the voice the tracker left there, sung on either
    side). The confidence and voicing stay the first pass's."""
    middle = _register_midi(track, energy_db, register_pct, anchor_conf=anchor_conf, anchor_db=anchor_db,
                            min_anchors=min_anchors)
    if middle is None:
        return track
    n = min(len(track.hz), len(energy_db))
    m, voiced = track.midi[:n], track.voiced[:n]
    with np.errstate(invalid="ignore"):
        asked = voiced & np.isfinite(m) & (m >= middle + over_st)
        under = voiced & np.isfinite(m) & (m < middle + over_st)
    if asked.sum() < min_frames:
        return track
    band = _band_reading(x, sr, n, track.hop_s, fmin=FMIN_HZ, fmax=float(midi_to_hz(middle + band_st)), asked=asked)
    if band is None:
        return track
    hz = track.hz.copy()
    reach = int(round(reach_s / track.hop_s))
    for a, b in zip(*true_runs(asked)):
        lo, hi = max(a - reach, 0), min(b + reach, n)
        near = np.flatnonzero(under[lo:hi]) + lo
        pitch, read = float(np.median(band[a:b])), float(np.median(m[a:b]))
        if pitch > middle + band_st - edge_st or min(abs(read - pitch - 12.0 * k) for k in (1, 2, 3)) <= 1.0:
            continue
        if len(near) and np.min(np.abs(m[near] - pitch)) <= near_st:
            hz[a:b] = midi_to_hz(band[a:b])
    return PitchTrack(hz, track.confidence, track.voiced, track.hop_s, track.wavering)


def reread_callers_band(track: PitchTrack, energy_db: np.ndarray, x: np.ndarray, sr: int, *,
                        margin_st: float = REREAD_MARGIN_ST, register_pct: float = REREAD_REGISTER_PCT,
                        anchor_conf: float = REREAD_ANCHOR_CONF, anchor_db: float = REREAD_ANCHOR_DB,
                        level_db: float = REREAD_LEVEL_DB, local_s: float = REREAD_LOCAL_S,
                        min_frames: int = REREAD_MIN_FRAMES, steady_st: float = REREAD_STEADY_ST,
                        edge_st: float = REREAD_EDGE_ST, reach_s: float = REREAD_REACH_S,
                        near_st: float = REREAD_NEAR_ST, min_anchors: int = REREAD_MIN_ANCHORS,
                        asked_conf: float = REREAD_ASKED_CONF) -> PitchTrack:
    """``track`` with the frames where it followed another voice far under the caller's register, while the
    call's level stays at the caller's, read again by the tracker limited to the caller's band.

    A low talker (a male voice at 70-100 Hz, its harmonics dense in the phone band) can hold the tracker over a
    high caller's quick notes 10 dB louder than it (stress babble, other tunes: MIDI 38-39 read at confidence
    0.6-0.8 over a female's 0.1-0.2 s notes at 69-74). The caller's register is the ``register_pct`` percentile
    of the pitch of the (at least ``min_anchors``) confident (``anchor_conf``), loud (within ``anchor_db`` dB of
    the call's 90th-percentile voiced level, ``energy_db`` (n,) dB) frames; frames read more than ``margin_st``
    semitones under it (at confidence ``asked_conf`` or more) and within ``level_db`` dB of the median level of the in-register frames within
    ``local_s`` s are asked. Where there are ``min_frames`` or more, swift-f0 runs again on ``x`` (n,) at ``sr``
    Hz with its lowest pitch at that line; its pitch replaces the first reading over each run of at least
    ``min_frames`` frames that holds within ``steady_st`` of its median, lies ``edge_st`` or more over the line
    (not pinned to the band's edge), is no octave of the first reading (left to the octave rules) and lies
    within ``near_st`` of an in-register frame within ``reach_s`` s (the caller's line). The confidence and
    voicing stay the first pass's. Stress babble of other tunes (seeds 50-57): see tests/bench/HISTORY.md,
    stop 48."""
    register = _register_midi(track, energy_db, register_pct, anchor_conf=anchor_conf, anchor_db=anchor_db,
                              min_anchors=min_anchors)
    if register is None:
        return track
    line = register - margin_st
    n = min(len(track.hz), len(energy_db))
    e, m, conf, voiced = energy_db[:n], track.midi[:n], track.confidence[:n], track.voiced[:n]
    with np.errstate(invalid="ignore"):
        in_register = voiced & np.isfinite(m) & (m >= line)
        asked = (conf >= asked_conf) & np.isfinite(m) & (m < line)
    idx = np.flatnonzero(in_register)
    if asked.sum() < min_frames or not len(idx):
        return track
    w = int(round(local_s / track.hop_s))
    first = np.searchsorted(idx, np.arange(n) - w)
    last = np.searchsorted(idx, np.arange(n) + w, side="right")
    for k in np.flatnonzero(asked):
        if last[k] <= first[k] or e[k] < float(np.median(e[idx[first[k]:last[k]]])) - level_db:
            asked[k] = False
    if asked.sum() < min_frames:
        return track
    band = _band_reading(x, sr, n, track.hop_s, fmin=float(midi_to_hz(line)), fmax=FMAX_HZ, asked=asked)
    if band is None:
        return track
    hz = track.hz.copy()
    reach = int(round(reach_s / track.hop_s))
    for a, b in zip(*true_runs(asked)):
        seg = band[a:b]
        held = (np.abs(seg - np.median(seg)) <= steady_st) & (seg >= line + edge_st)
        for c, d in zip(*true_runs(held)):
            c, d = a + c, a + d
            if d - c < min_frames:
                continue
            pitch, read = float(np.median(band[c:d])), float(np.median(m[c:d]))
            if min(abs(pitch - read - 12.0 * k) for k in (1, 2, 3)) <= 1.0:
                continue
            lo, hi = max(c - reach, 0), min(d + reach, n)
            near = np.flatnonzero(in_register[lo:hi]) + lo
            if len(near) and np.min(np.abs(m[near] - pitch)) <= near_st:
                hz[c:d] = midi_to_hz(band[c:d])
    return PitchTrack(hz, track.confidence, track.voiced, track.hop_s, track.wavering)
