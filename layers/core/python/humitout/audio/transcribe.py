"""The Transcribe stage as pure functions: recording bytes -> :class:`~humitout.models.Analysis`.

Rejections (:class:`~humitout.errors.BadAudio` codes), in the order checked:
``empty``, ``not_audio``/``undecodable``, ``too_long``, ``silence``, ``clipped``
(by :func:`~humitout.audio.decode.decode_audio`), then ``silence`` (voice-band
level), ``noise`` (under ``MIN_VOICED_S`` of voiced notes in a spectrally flat
signal), ``too_short`` (under ``MIN_VOICED_S`` of notes otherwise) and
``no_melody`` (voiced but the pitch rarely holds still, or :func:`sounds_like_speech`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np
from scipy.ndimage import median_filter
from scipy.signal import stft

from humitout.audio.arrays import true_runs
from humitout.audio.call_quality import read_call
from humitout.audio.decode import clipped_fraction, decode_audio
from humitout.audio.enhance import enhance_call
from humitout.audio.f0 import PitchTrack, reread_callers_band, track_f0
from humitout.audio.key import estimate_key, on_the_scale_when_between
from humitout.audio.mood import estimate_mood
from humitout.audio.notes.callers import drop_talker_edges
from humitout.audio.notes.core import NoteEvent, in_singers_tuning, weighted_quantile
from humitout.audio.notes.harmonics import held_through_talker, onsets_at_own_harmonics, onsets_under_talker
from humitout.audio.notes.levels import (band_level_db, dead_air_frames, frame_energy_db, harmonic_envelope_db,
                                         lost_samples, narrow_band_levels_db)
from humitout.audio.notes.partials import (coded_at_twice_period, drop_formant_octave_notes, drop_half_lag_notes,
                                           drop_octave_peaks, fold_partial_notes, harmonic_comb_pitch,
                                           lift_lag_floor_subharmonics, lift_octave_dips, lift_subharmonic_runs,
                                           lift_unlined_subharmonics)
from humitout.audio.notes.reattack import vibrato_centre
from humitout.audio.notes.releases import end_at_release, end_at_weak_release, release_window_s
from humitout.audio.notes.segment import onsets_at_soft_attack, segment_notes
from humitout.audio.rhythm import Rhythm, analyse_rhythm, beat_positions, rhythm_in_meter
from humitout.errors import BadAudio
from humitout.models import Analysis, F0Track, Key, Lyrics, Note, TimeSignature

MIN_VOICED_S = 2.0        # s of notes needed for a melody
QUIET_BAND_PCT = 20.0     # percentile over the narrow bands per frame read as the quietest bands (a phone gate leaves them)
SILENCE_DBFS = -55.0      # 95th-percentile frame level under this is silence
NOISE_FLATNESS = 0.3      # median spectral flatness (300-3400 Hz) above this is noise
MIN_STABLE_FRACTION = 0.4  # share of voiced frames whose pitch holds still, below: speech
STABLE_SLOPE_ST_S = 12.0  # semitones per second under which the pitch "holds still"
# Speech, unlike a hum or a song, has all four: pitch that moves inside its "notes" (still in under
# 85 % of the voiced frames 30 ms or more inside a note), syllable-length "notes" (under 23 % of note
# time in notes of 0.25 s or more), notes that glide (the duration-weighted median note moves 0.17 st or
# more from its second to its last quarter) and pitches off any semitone grid (grid fit under 0.5).
# Measured at stop 49 (``./dev bench speech``: 58 espeak-ng utterances, 11 voices, 6 languages, 2 speeds,
# each through six phone conditions: clean line, AMR-NB, GSM, speakerphone room, street/car/HVAC noise, noise
# suppression + AGC) against 2,952 stress hums (other tunes: seeds 50-57 in their 15 conditions, seeds 50-53
# in 20 combined ones; dev tunes: seed 10 in all 35, seeds 11-21 with a wide vibrato): no hum is refused
# (nor any of the full stress bench's 12,048 with the glide read from the first quarter, at 0.2 st), and
# 0.905 of the speech gets ``no_melody``. The test it replaces
# (pitch still in under 80 % of all voiced frames, fricatives, grid fit) answered 0.710 of the speech (codecs
# and rooms take the fricatives) and refused three of the bench's hums: bass and nasal voices singing fast
# airs out of tune (grid fit 0.46), whose pitch moves over the note changes but holds still inside the notes.
# The glide skips a note's first quarter, where a singer's scoop dies away: read from the first quarter, it
# refused a fast air sung with a wide vibrato and scoops (glide 0.22, still in 84 % of the frames). The
# held-note share was 30 % until a hum under café babble (stress seed 12) was refused with 29 %: in 18
# espeak-ng utterances (9 voices, 2 texts) it is at most 21 %, in the 360 hums of stress seeds 10-12 at least 25.8 %.
# Since stop 55 a fifth sign, a vowel that moves inside the notes (:func:`vowel_drift_db`, 5 dB or more), lets one
# of the four fail (four of five): a room lengthens and steadies syllables. ``./dev bench speech``: 0.905 -> 0.934
# of the speech answered ``no_melody`` (speakerphone 0.793 -> 0.879), 0 of 2,124 stress hums refused (dev tunes'
# seeds 10-14, other tunes' 50 and 51, every condition and the combined ones); no hum of 1,556 shows four of five.
SPEECH_STILL_IN_NOTES = 0.85
SPEECH_LONG_NOTE_SHARE = 0.23
SPEECH_GLIDE_ST = 0.17
SPEECH_GRID_FIT = 0.5
LONG_NOTE_S = 0.25
# A caller's words before or after the hum ("Okay, here goes", "That's it") are cut at a pause of 0.25 s or
# more (:func:`without_spoken_edges`; stress ``spoken``: the callers pause 0.25-1.2 s before humming).
SPOKEN_PAUSE_S = 0.25
SPEECH_VOWEL_DRIFT_DB = 5.0   # dB a talk run's vowel moves inside its notes (:func:`vowel_drift_db`)
HELD_VOWEL_DB = 2.0           # dB under which a run's vowels are held, as sung (hum runs: median 0.5-1.6 dB by channel)
NOTE_EDGE_S = 0.03        # s left out at each end of a note when reading how its pitch moves inside it


@dataclass(frozen=True)
class FrontEnd:
    """What the note stage reads of a call (:func:`front_end`), ``n`` pitch frames of ``track.hop_s`` s."""
    track: PitchTrack      # the pitch track of the enhanced call
    energy: np.ndarray     # (n,) dBFS, frame energy of the call freed of reverberation only (gates voicing)
    dead: np.ndarray       # (n,) bool, frames touched by dropouts and dead air (:func:`dead_air_frames`)
    bands: np.ndarray      # (bands, n) dB, narrow-band levels of the enhanced call (:func:`narrow_band_levels_db`)
    envelope: np.ndarray   # (k, n) dB, harmonic envelope of the enhanced call (:func:`harmonic_envelope_db`)
    reverberant: bool = False  # whether the call was freed of a room's reverberation (:func:`enhance_call`)


def front_end(x: np.ndarray, sr: int) -> FrontEnd:
    """Everything :func:`transcribe_samples` computes of mono samples ``x`` (n,) at ``sr`` Hz before
    the note stage. The tracker hears ``x`` freed of a room's late reverberation when the call is
    reverberant and of steady background noise when it is noisy (:func:`enhance_call`); the levels
    are read as :func:`front_end_from_track` says."""
    dry, clean = enhance_call(x, sr)
    track = track_f0(clean, sr, unsuppressed=None if clean is dry else dry)
    return front_end_from_track(x, sr, dry=dry, clean=clean, track=track)


def front_end_from_track(x: np.ndarray, sr: int, *, dry: np.ndarray, clean: np.ndarray,
                         track: PitchTrack) -> FrontEnd:
    """The front end of samples ``x`` (n,) at ``sr`` Hz given ``dry`` (``x`` freed of reverberation)
    and ``clean`` (freed of noise too), both from :func:`enhance_call`, and the pitch ``track`` of
    ``clean``. The band levels in which re-attack dips are looked for are read from ``clean`` (a
    noise floor fills the consonant dip between repeated notes: stress noise COnP +0.003 / +0.004
    on seeds 10 / 12, COnPOff +0.010 / +0.014); the energy that gates voicing is read from ``dry``
    (a reverberant tail holds the gate open 30-50 ms past a note's end: stress speakerphone COnPOff
    +0.024 to +0.067 on seeds 11-13, flat on 10); dropouts and dead air are read from ``x`` itself. Where the
    track followed a low talker far under the caller's register at the caller's level, those frames are read
    again in the caller's band (:func:`reread_callers_band`, on ``clean``, gated by that energy) before the
    harmonic envelope is read at the track's pitch."""
    n = len(track.hz)
    lost = lost_samples(x, sr)
    energy = frame_energy_db(dry, sr, n, track.hop_s, lost=lost)
    track = reread_callers_band(track, energy, clean, sr)
    return FrontEnd(track=track, energy=energy,
                    dead=dead_air_frames(x, sr, n, track.hop_s, lost=lost),
                    bands=narrow_band_levels_db(clean, sr, n, track.hop_s, lost=lost),
                    envelope=harmonic_envelope_db(clean, sr, track.hz, track.hop_s, lost=lost),
                    reverberant=dry is not x)


def note_stage(x: np.ndarray, sr: int, front: FrontEnd) -> list[NoteEvent]:
    """The notes of mono samples ``x`` (n,) at ``sr`` Hz from their ``front`` end (:func:`front_end`)."""
    notes = segment_notes(front.track, front.energy, front.dead, band_level_db(front.bands, front.track.hop_s),
                          front.envelope, quiet_level_db=np.percentile(front.bands, QUIET_BAND_PCT, axis=0),
                          comb_pitch=partial(harmonic_comb_pitch, x, sr),
                          octave_low=partial(coded_at_twice_period, x=x, sr=sr),
                          band_levels_db=front.bands if front.reverberant else None, room=front.reverberant)
    notes = fold_partial_notes(lift_lag_floor_subharmonics(notes, x, sr, track=front.track), x, sr,
                               level_db=front.energy, hop_s=front.track.hop_s)
    notes = drop_half_lag_notes(drop_octave_peaks(lift_octave_dips(notes), x, sr), x, sr)
    notes = drop_formant_octave_notes(notes, x, sr)
    notes = lift_unlined_subharmonics(notes, x, sr)
    notes = drop_talker_edges(lift_subharmonic_runs(notes, x, sr), front.energy, front.track.hop_s)
    notes = end_at_weak_release(notes, front.track.midi, front.track.confidence, front.energy, front.track.hop_s,
                                room=front.reverberant)
    # the call's first note keeps the energy's window: a phone's AGC settles its gain over the call's first loud
    # attack, pulling that note's level down 6-7 dB over 60-150 ms (HISTORY, stop 35; stress s16 / s18 ns_agc)
    window = release_window_s(notes, front.energy, front.track.hop_s)
    notes = (end_at_release(notes[:1], front.energy, front.track.midi, front.track.hop_s, front.dead)
             + end_at_release(notes[1:], front.energy, front.track.midi, front.track.hop_s, front.dead, fall_s=window))
    # a room rings the held pitch on through any gap, so its harmonics tell no talker there
    notes = notes if front.reverberant else held_through_talker(notes, x, sr, front.track)
    notes = onsets_at_own_harmonics(notes, x, sr, front.track.hop_s)
    notes = onsets_under_talker(notes, x, sr, front.track, front.energy)
    return onsets_at_soft_attack(notes, front.track.midi, front.track.confidence, front.energy, front.track.hop_s)


def transcribe_samples(x: np.ndarray, sr: int) -> tuple[PitchTrack, np.ndarray, list[NoteEvent]]:
    """Pitch track, frame energy (dBFS, (n,)) and notes of mono samples ``x`` (n,) at ``sr`` Hz:
    :func:`front_end`, then :func:`note_stage`."""
    front = front_end(x, sr)
    return front.track, front.energy, note_stage(x, sr, front)


def transcribe_path(wav_path: str | Path) -> list[tuple[float, float, float]]:
    """Notes ``[(onset_s, offset_s, midi), ...]`` of an audio file (benchmark entry point)."""
    x, sr = decode_audio(Path(wav_path).read_bytes())
    front = front_end(x, sr)
    notes = without_spoken_edges(front.track, note_stage(x, sr, front), front.envelope)[0]
    return [(n.onset_s, n.offset_s, n.midi) for n in sung_notes(notes)[0]]


def sung_notes(notes: list[NoteEvent]) -> tuple[list[NoteEvent], Key]:
    """The notes as sung, read as a listener names them, and their key: each pitch against the singer's
    own tuning around it (:func:`~humitout.audio.notes.in_singers_tuning`), then a pitch halfway between
    a semitone of the key's scale and one outside it read as the scale's
    (:func:`~humitout.audio.key.on_the_scale_when_between`)."""
    tuned = in_singers_tuning(notes)
    midi = np.array([n.midi for n in tuned])
    key = estimate_key(midi, np.array([n.offset_s - n.onset_s for n in tuned]), np.array([n.confidence for n in tuned]))
    return [replace(n, midi=float(m)) for n, m in zip(tuned, on_the_scale_when_between(midi, key))], key


def spectral_flatness(x: np.ndarray, sr: int, band_hz: tuple[float, float] = (300.0, 3400.0)) -> float:
    """Median over 32 ms frames of the spectral flatness (geometric / arithmetic mean power) in ``band_hz``."""
    f, _, z = stft(x, fs=sr, nperseg=int(0.032 * sr))
    p = np.abs(z[(f >= band_hz[0]) & (f <= band_hz[1])]) ** 2 + 1e-12
    flat = np.exp(np.mean(np.log(p), axis=0)) / np.mean(p, axis=0)
    loud = np.mean(p, axis=0) >= np.percentile(np.mean(p, axis=0), 50)
    return float(np.median(flat[loud]))


def pitch_still_frames(track: PitchTrack, *, centre_vibrato: bool = False) -> np.ndarray:
    """Frames (n,) bool whose pitch (5-frame median) moves slower than ``STABLE_SLOPE_ST_S``; with
    ``centre_vibrato`` a vibrato is read at its centre line (:func:`~humitout.audio.notes.reattack.vibrato_centre`:
    a singer's 0.7 st vibrato moves faster than that for most of its cycle)."""
    m = median_filter(np.nan_to_num(track.midi), size=5, mode="nearest")
    if centre_vibrato:
        for a, b in zip(*true_runs(track.voiced)):
            m[a:b] = vibrato_centre(m[a:b], track.hop_s)
    return np.abs(np.gradient(m, track.hop_s)) < STABLE_SLOPE_ST_S


def stable_fraction(track: PitchTrack) -> float:
    """Share of voiced frames whose pitch holds still (:func:`pitch_still_frames`, a vibrato at its centre
    line; 0 if none are voiced)."""
    v = track.voiced
    if v.sum() < 5:
        return 0.0
    ok = v & np.r_[v[1:], False] & np.r_[False, v[:-1]]
    return float(np.mean(pitch_still_frames(track, centre_vibrato=True)[ok])) if ok.any() else 0.0


def long_note_share(notes: list[NoteEvent]) -> float:
    """Share of the total note time (s) that is in notes lasting ``LONG_NOTE_S`` or more."""
    durations = np.array([n.offset_s - n.onset_s for n in notes])
    total = durations.sum()
    return float(durations[durations >= LONG_NOTE_S].sum() / total) if total > 0 else 0.0


def _inside_note_frames(track: PitchTrack, note: NoteEvent, edge_s: float) -> np.ndarray:
    """Indices of the voiced frames of ``track`` from ``edge_s`` after ``note``'s onset to ``edge_s`` before
    its offset (s)."""
    first = int(round((note.onset_s + edge_s) / track.hop_s))
    last = min(int(round((note.offset_s - edge_s) / track.hop_s)), len(track.hz))
    idx = np.arange(first, max(first, last))
    return idx[track.voiced[idx]]


def still_in_notes(track: PitchTrack, notes: list[NoteEvent], *, edge_s: float = NOTE_EDGE_S) -> float:
    """Share of the voiced frames inside the notes (``edge_s`` s in from each end) whose pitch moves slower
    than ``STABLE_SLOPE_ST_S`` (0 if there are none): :func:`stable_fraction` without the note changes, which
    in a fast tune are a large share of all frames."""
    inside = np.concatenate([_inside_note_frames(track, n, edge_s) for n in notes] or [np.zeros(0, int)])
    return float(np.mean(pitch_still_frames(track)[inside])) if len(inside) else 0.0


def note_glide_st(track: PitchTrack, notes: list[NoteEvent], *, edge_s: float = NOTE_EDGE_S,
                  min_frames: int = 4) -> float:
    """How far a note's pitch moves inside it (st): for each note with ``min_frames`` voiced frames or more
    inside it (``edge_s`` s in from each end), the distance between the medians of the second and the last
    quarter of those frames (a singer's scoop into the note, up to 2 st, dies away in its first quarter);
    the median over the notes, weighted by their durations (0 if none is measured). A syllable of speech
    glides throughout (espeak-ng utterances through phone channels: median 0.31 st, 5th percentile 0.19); a
    sung note holds (2,712 stress hums: median 0.06 st, 99th percentile 0.16, at most 0.19)."""
    midi = np.nan_to_num(track.midi)
    glides, durations = [], []
    for n in notes:
        inside = _inside_note_frames(track, n, edge_s)
        if len(inside) < min_frames:
            continue
        quarter = len(inside) // 4
        glides.append(abs(float(np.median(midi[inside[-quarter:]]))
                          - float(np.median(midi[inside[quarter:2 * quarter]]))))
        durations.append(n.offset_s - n.onset_s)
    return weighted_quantile(np.array(glides), np.array(durations), 0.5) if glides else 0.0


def semitone_grid_fit(notes: list[NoteEvent]) -> float:
    """How well note pitches sit on one semitone grid (any tuning): the duration-weighted length of
    the mean of exp(2 pi i midi), 1 = all on the grid, about 0 = pitches anywhere."""
    midi = np.array([n.midi for n in notes])
    durations = np.array([n.offset_s - n.onset_s for n in notes])
    return float(np.abs(np.sum(durations * np.exp(2j * np.pi * midi))) / durations.sum())


def sounds_like_speech(track: PitchTrack, notes: list[NoteEvent], envelope_db: np.ndarray | None = None, *,
                       still_in_notes_under: float = SPEECH_STILL_IN_NOTES,
                       long_note_share_under: float = SPEECH_LONG_NOTE_SHARE,
                       glide_st_over: float = SPEECH_GLIDE_ST, grid_fit_under: float = SPEECH_GRID_FIT,
                       vowel_drift_db_over: float = SPEECH_VOWEL_DRIFT_DB) -> str | None:
    """A description of the speech evidence when the signs of speech are present, else None: the pitch holds
    still in under ``still_in_notes_under`` of the frames inside the notes (:func:`still_in_notes`), under
    ``long_note_share_under`` of the note time is in held notes (:func:`long_note_share`), the notes glide
    ``glide_st_over`` st or more (:func:`note_glide_st`) and the pitches fit one semitone grid under
    ``grid_fit_under`` (:func:`semitone_grid_fit`): all four, or, with the harmonic envelope ``envelope_db``, four
    of those and a fifth, a vowel that moves inside the notes (:func:`vowel_drift_db` ``vowel_drift_db_over`` dB
    or more). The pitch signs read the pitch and the notes only, which every phone channel keeps; a room
    lengthens and steadies syllables, so one of them may fail, and the vowel still moves."""
    values = {"still": still_in_notes(track, notes), "held": long_note_share(notes),
              "glide": note_glide_st(track, notes), "grid": semitone_grid_fit(notes)}
    shown = [values["still"] < still_in_notes_under, values["held"] < long_note_share_under,
             values["glide"] >= glide_st_over, values["grid"] < grid_fit_under]
    if envelope_db is not None:
        values["vowel"] = vowel_drift_db(envelope_db, track, notes)
        shown.append(values["vowel"] >= vowel_drift_db_over)
    if sum(shown) < 4:
        return None
    vowel = f", vowels move {values['vowel']:.1f} dB" if np.isfinite(values.get('vowel', np.nan)) else ""
    return (f"sounds like speech: pitch still in {values['still']:.0%} of the frames inside notes, "
            f"{values['held']:.0%} of the sound in held notes, notes glide {values['glide']:.2f} st, semitone grid "
            f"fit {values['grid']:.2f}{vowel}")


def vowel_drift_db(envelope_db: np.ndarray, track: PitchTrack, notes: list[NoteEvent], *,
                   edge_s: float = NOTE_EDGE_S, min_frames: int = 6, strong_db: float = 25.0) -> float:
    """How far the vowel moves inside the notes (dB): for each note with ``min_frames`` frames or more inside it
    (``edge_s`` s in from each end) whose harmonic envelope ``envelope_db`` (k, n) (dB,
    :func:`~humitout.audio.notes.levels.harmonic_envelope_db`) was read, the rms difference between the median
    shapes (each frame's mean over the grid removed) of the second and the last quarter of those frames, over the
    grid points within ``strong_db`` dB of the note's strongest; the median over the notes, weighted by their
    durations (NaN if none is measured). A syllable of talk moves from one vowel to the next ("okay", "goes"); a
    sung or hummed note holds its vowel (stress ``spoken`` talk runs: median 5.7-8.4 dB by channel; hum runs on
    the clean line median 0.5 dB, speakerphone 1.6, recorded sung syllables, ``diphone``, 3.1)."""
    drifts, durations = [], []
    for n in notes:
        inside = _inside_note_frames(track, n, edge_s)
        inside = inside[envelope_db[:, inside].max(axis=0) > -100.0] if len(inside) else inside
        if len(inside) < min_frames:
            continue
        levels = envelope_db[:, inside]
        shape = levels - levels.mean(axis=0)
        quarter = len(inside) // 4
        typical = np.median(levels, axis=1)
        strong = typical > typical.max() - strong_db
        moved = np.median(shape[:, -quarter:], axis=1) - np.median(shape[:, quarter:2 * quarter], axis=1)
        drifts.append(float(np.sqrt(np.mean(moved[strong] ** 2))))
        durations.append(n.offset_s - n.onset_s)
    return weighted_quantile(np.array(drifts), np.array(durations), 0.5) if drifts else float("nan")


def sounds_like_talk(track: PitchTrack, notes: list[NoteEvent], envelope_db: np.ndarray | None = None, *,
                     vowel_drift_db_over: float = SPEECH_VOWEL_DRIFT_DB,
                     held_vowel_db_under: float = HELD_VOWEL_DB) -> bool:
    """Whether a few ``notes`` (a run before or after the hum) sound like talk: three of the four signs of talk,
    syllable-length notes, pitch that moves inside them and notes that glide (:func:`sounds_like_speech`'s first
    three, at its thresholds) and a vowel that moves inside them (:func:`vowel_drift_db` ``vowel_drift_db_over``
    dB or more; read only with ``envelope_db``), and not a vowel held as a singer holds it (under
    ``held_vowel_db_under`` dB). The semitone-grid sign is not asked: a few syllables' pitches fit a grid by
    chance (two to eleven notes of talk on stress ``spoken``: grid fit up to 0.96). A room lengthens and steadies
    the syllables, so one pitch sign may fail; a fast tune a child sings through a phone's noise suppressor can
    show all three pitch signs, but holds its vowels (1.7 dB)."""
    pitch_signs = (long_note_share(notes) < SPEECH_LONG_NOTE_SHARE) + (note_glide_st(track, notes) >= SPEECH_GLIDE_ST)
    if pitch_signs == 0:
        return False
    pitch_signs += still_in_notes(track, notes) < SPEECH_STILL_IN_NOTES
    vowel = vowel_drift_db(envelope_db, track, notes) if envelope_db is not None else float("nan")
    if vowel < held_vowel_db_under:
        return False
    return pitch_signs + (vowel >= vowel_drift_db_over) >= 3


def without_spoken_edges(track: PitchTrack, notes: list[NoteEvent], envelope_db: np.ndarray | None = None, *,
                         pause_s: float = SPOKEN_PAUSE_S,
                         min_rest_s: float = MIN_VOICED_S) -> tuple[list[NoteEvent], list[tuple[float, float]]]:
    """``notes`` without the caller's words before and after the hum ("Okay, here goes", "That's it"), and
    the spans (onset, offset, s) of the words cut. The words are a run of notes at the start, and then one at
    the end, that ends (starts) at a pause of ``pause_s`` s or more and sounds like talk (:func:`sounds_like_talk`,
    with the harmonic envelope ``envelope_db`` when given), while the notes left hold ``min_rest_s`` s or more and
    do not; of several such runs, the one parted from the hum by the widest pause (the caller stops talking, then
    hums: a run reaching into the hum's quick first notes can still sound like talk)."""
    def talk(part: list[NoteEvent]) -> bool:
        return sounds_like_talk(track, part, envelope_db)

    def keeps_melody(rest: list[NoteEvent]) -> bool:
        return sum(n.offset_s - n.onset_s for n in rest) >= min_rest_s and not talk(rest)

    def pause_before(part: list[NoteEvent], i: int) -> float:
        return part[i].onset_s - part[i - 1].offset_s

    words = []
    talk_before = [i for i in range(1, len(notes)) if pause_before(notes, i) >= pause_s
                   and talk(notes[:i]) and keeps_melody(notes[i:])]
    if talk_before:
        i = max(talk_before, key=lambda k: pause_before(notes, k))
        words.append((notes[0].onset_s, notes[i - 1].offset_s))
        notes = notes[i:]
    talk_after = [i for i in range(1, len(notes)) if pause_before(notes, i) >= pause_s
                  and talk(notes[i:]) and keeps_melody(notes[:i])]
    if talk_after:
        i = max(talk_after, key=lambda k: pause_before(notes, k))
        words.append((notes[i].onset_s, notes[-1].offset_s))
        notes = notes[:i]
    return notes, words


def analyse_recording(data: bytes, *, lyrics: Lyrics | None = None) -> Analysis:
    """The whole Transcribe stage: audio file bytes -> :class:`Analysis`.

    Raises :class:`BadAudio` when the recording cannot give a melody (codes above).
    """
    x, sr = decode_audio(data)
    duration = len(x) / sr
    front = front_end(x, sr)
    track, energy, notes = front.track, front.energy, note_stage(x, sr, front)
    if np.percentile(energy, 95) < SILENCE_DBFS:
        raise BadAudio("silence", f"voice band under {SILENCE_DBFS:.0f} dBFS")
    voiced_s = float(sum(n.offset_s - n.onset_s for n in notes))
    if voiced_s < MIN_VOICED_S:
        flat = spectral_flatness(x, sr)
        if flat > NOISE_FLATNESS:
            raise BadAudio("noise", f"no stable pitch (spectral flatness {flat:.2f})")
        raise BadAudio("too_short", f"{voiced_s:.1f} s of melody, need {MIN_VOICED_S:.0f} s")
    stable = stable_fraction(track)
    if stable < MIN_STABLE_FRACTION:
        raise BadAudio("no_melody", f"the pitch holds still in only {stable:.0%} of voiced frames")
    speech = sounds_like_speech(track, notes, front.envelope)
    if speech:
        raise BadAudio("no_melody", speech)
    notes, words = without_spoken_edges(track, notes, front.envelope)
    voiced_s = float(sum(n.offset_s - n.onset_s for n in notes))
    notes, key = sung_notes(notes)  # after the speech test, which reads how far pitches sit off one grid

    onsets = np.array([n.onset_s for n in notes])
    offsets = np.array([n.offset_s for n in notes])
    midi = np.array([n.midi for n in notes])
    rhythm = analyse_rhythm(onsets, offsets, midi, duration)
    level = float(np.median(energy[track.voiced])) if track.voiced.any() else -60.0
    mood = estimate_mood(level, len(notes) / max(offsets[-1] - onsets[0], 1e-3), rhythm.quarter_bpm, key)
    warnings = []
    if clipped_fraction(x) > 0.01:
        warnings.append("some clipping")
    if key.confidence < 0.2:
        warnings.append("key uncertain")
    if rhythm.beat_confidence < 0.2:
        warnings.append("tempo uncertain")
    hz = np.where(track.voiced, track.hz, 0.0)
    return Analysis(
        sample_rate_hz=sr, duration_s=round(duration, 3), voiced_s=round(voiced_s, 3),
        f0=F0Track(hop_s=track.hop_s, hz=[round(float(f), 2) for f in hz],
                   confidence=[round(float(c), 3) for c in track.confidence]),
        notes=[Note(onset_s=round(n.onset_s, 3), offset_s=round(n.offset_s, 3),
                    midi=round(n.midi, 2), confidence=round(n.confidence, 3)) for n in notes],
        key=key, lyrics=lyrics or Lyrics(), mood=mood, warnings=warnings, **rhythm_fields(rhythm),
        call=read_call(notes, hop_s=track.hop_s, voiced=track.voiced, confidence=track.confidence,
                       energy_db=energy, dead=front.dead, reverberant=front.reverberant, words_s=words))


def in_meter(analysis: Analysis, meter: TimeSignature) -> Analysis:
    """``analysis`` with its beats, bars, pickup and tempo read again in ``meter``, the one the caller named
    (:func:`~humitout.audio.rhythm.rhythm_in_meter`); the notes, key and the rest as heard."""
    if analysis.time_signature == meter:
        return analysis
    on, off, midi = (np.array([getattr(n, f) for n in analysis.notes]) for f in ("onset_s", "offset_s", "midi"))
    return analysis.model_copy(update=rhythm_fields(rhythm_in_meter(on, off, midi, analysis.duration_s, meter)))


def bars_moved(analysis: Analysis, beats_later: int, *, cycle_beats: int | None = None) -> Analysis:
    """``analysis`` with its bar lines ``beats_later`` beats later on the same beats, as a caller moves bar 1
    ("shift"), modulo ``cycle_beats`` (default its bar: in 4/4, 3 is a beat earlier). A cycle of several of the
    hum's bars (a 2/4 hum in 4/4 song bars: 4) also moves which of its bars starts a song bar: the pickup counts
    every beat from the first note to the moved first downbeat, a bar or more where the move passed whole bars
    (:func:`~humitout.music.arrangement.placed_onsets` then starts the song bars that many hum bars later). The
    downbeats, the pickup and a downbeat confidence of 1 change; nothing else."""
    beats_per_bar = analysis.time_signature.beats_per_bar
    later = beats_later % (cycle_beats or beats_per_bar)
    if later == 0 or not analysis.beats_s or not analysis.downbeats_s or not analysis.notes:
        return analysis
    beats = np.asarray(analysis.beats_s, float)
    first = int(np.argmin(np.abs(beats - analysis.downbeats_s[0]))) + later   # later, not wrapped round the bar
    first_note = float(beat_positions(np.array([min(n.onset_s for n in analysis.notes)]), beats)[0])
    return analysis.model_copy(update={"downbeats_s": [float(b) for b in beats[first::beats_per_bar]],
                                       "pickup_beats": round(max(first - first_note, 0.0), 3),
                                       "downbeat_confidence": 1.0})


def rhythm_fields(rhythm: Rhythm) -> dict:
    """The Analysis fields of a :class:`~humitout.audio.rhythm.Rhythm`: quarter-note tempo (BPM,
    clipped to the contract's range), beats and downbeats (s), pickup (beats), time signature and
    confidences."""
    return {"tempo_bpm": round(float(np.clip(rhythm.quarter_bpm, 20.5, 319.0)), 2),
            "beats_s": [round(float(b), 3) for b in rhythm.beats_s],
            "downbeats_s": [round(float(b), 3) for b in rhythm.downbeats_s],
            "pickup_beats": rhythm.pickup_beats, "time_signature": rhythm.time_signature,
            "beat_confidence": rhythm.beat_confidence, "meter_confidence": rhythm.meter_confidence,
            "downbeat_confidence": rhythm.downbeat_confidence}
