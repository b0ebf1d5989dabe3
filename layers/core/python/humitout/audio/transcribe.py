"""The Transcribe stage as pure functions: recording bytes -> :class:`~humitout.models.Analysis`.

Rejections (:class:`~humitout.errors.BadAudio` codes), in the order checked:
``empty``, ``not_audio``/``undecodable``, ``too_long``, ``silence``, ``clipped``
(by :func:`~humitout.audio.decode.decode_audio`), then ``silence`` (voice-band
level), ``noise`` (under ``MIN_VOICED_S`` of voiced notes in a spectrally flat
signal), ``too_short`` (under ``MIN_VOICED_S`` of notes otherwise) and
``no_melody`` (voiced but the pitch rarely holds still, or
:func:`~humitout.audio.speech.sounds_like_speech`); the caller's words around the hum are left out
(:func:`~humitout.audio.speech.without_spoken_edges`), and of a tune the caller stopped and started again, the
last take is the melody (:func:`~humitout.audio.speech.last_take`), and their words between two parts of the hum
are no notes either (:func:`~humitout.audio.speech.without_words_between`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path

import numpy as np
from scipy.signal import stft

from humitout.audio.call_quality import read_call
from humitout.audio.decode import clipped_fraction, decode_audio, decode_call
from humitout.audio.enhance import enhance_call
from humitout.audio.f0 import PitchTrack, reread_callers_band, reread_over_register, track_f0
from humitout.audio.key import estimate_key, on_the_scale_when_between
from humitout.audio.mood import estimate_mood
from humitout.audio.notes.callers import drop_talker_edges
from humitout.audio.notes.core import NoteEvent, in_singers_tuning
from humitout.audio.notes.harmonics import held_through_talker, onsets_at_own_harmonics, onsets_under_talker
from humitout.audio.notes.levels import (band_level_db, dead_air_frames, frame_energy_db, harmonic_envelope_db,
                                         lost_samples, narrow_band_levels_db)
from humitout.audio.notes.partials import (coded_at_twice_period, drop_formant_octave_notes, drop_half_lag_notes,
                                           drop_notes_over_register, drop_octave_peaks, fold_partial_notes,
                                           harmonic_comb_pitch, lift_lag_floor_subharmonics,
                                           lift_octave_dips, lift_octave_low_between, lift_subharmonic_runs,
                                           lift_unlined_subharmonics)
from humitout.audio.notes.releases import (end_at_release, end_at_weak_release, held_into_articulation,
                                          release_window_s)
from humitout.audio.notes.segment import joined_overshoot_heads, onsets_at_soft_attack, segment_notes
from humitout.audio.rhythm import (Rhythm, across_breaks, analyse_rhythm, beat_positions, joined_breaks, long_silences,
                                   rhythm_in_meter)
from humitout.audio.speech import (MIN_STABLE_FRACTION, VowelDrifts, last_take, sounds_like_speech, stable_fraction,
                                   without_lone_edge_notes, without_notes_sung_again, without_spoken_edges,
                                   without_words_between, words_in_pauses)
from humitout.errors import BadAudio
from humitout.models import Analysis, F0Track, Key, Lyrics, Note, TimeSignature

MIN_VOICED_S = 2.0        # s of notes needed for a melody
QUIET_BAND_PCT = 20.0     # percentile over the narrow bands per frame read as the quietest bands (a phone gate leaves them)
SILENCE_DBFS = -55.0      # 95th-percentile frame level under this is silence
NOISE_FLATNESS = 0.3      # median spectral flatness (300-3400 Hz) above this is noise


@dataclass(frozen=True)
class FrontEnd:
    """What the note stage reads of a call (:func:`front_end`), ``n`` pitch frames of ``track.hop_s`` s."""
    track: PitchTrack      # the pitch track of the enhanced call
    energy: np.ndarray     # (n,) dBFS, frame energy of the call freed of reverberation only (gates voicing)
    dead: np.ndarray       # (n,) bool, frames touched by dropouts and dead air (:func:`dead_air_frames`)
    bands: np.ndarray      # (bands, n) dB, narrow-band levels of the enhanced call (:func:`narrow_band_levels_db`)
    envelope: np.ndarray   # (k, n) dB, harmonic envelope of the enhanced call (:func:`harmonic_envelope_db`)
    reverberant: bool = False  # whether the call was freed of a room's reverberation (:func:`enhance_call`)

    @cached_property
    def vowels(self) -> VowelDrifts:
        """How far the vowel moves inside the call's notes, each note read once (the speech tests ask it)."""
        return VowelDrifts(self.envelope, self.track)


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
    track = reread_over_register(reread_callers_band(track, energy, clean, sr), energy, clean, sr)
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
    notes = drop_notes_over_register(lift_unlined_subharmonics(notes, x, sr))
    notes = lift_octave_low_between(lift_subharmonic_runs(notes, x, sr), x, sr)
    notes = drop_talker_edges(notes, front.energy, front.track.hop_s)
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
    notes = onsets_at_soft_attack(notes, front.track.midi, front.track.confidence, front.energy, front.track.hop_s,
                                  room=front.reverberant)
    notes = joined_overshoot_heads(notes)
    return notes if front.reverberant else held_into_articulation(notes)


def transcribe_samples(x: np.ndarray, sr: int) -> tuple[PitchTrack, np.ndarray, list[NoteEvent]]:
    """Pitch track, frame energy (dBFS, (n,)) and notes of mono samples ``x`` (n,) at ``sr`` Hz:
    :func:`front_end`, then :func:`note_stage`."""
    front = front_end(x, sr)
    return front.track, front.energy, note_stage(x, sr, front)


def transcribe_path(wav_path: str | Path) -> list[tuple[float, float, float]]:
    """Notes ``[(onset_s, offset_s, midi), ...]`` of an audio file (benchmark entry point)."""
    x, sr = decode_audio(Path(wav_path).read_bytes())
    front = front_end(x, sr)
    notes = the_hum(front, note_stage(x, sr, front)).notes
    return [(n.onset_s, n.offset_s, n.midi) for n in sung_notes(notes)[0]]


@dataclass(frozen=True)
class Hum:
    """The hum itself in a call (:func:`the_hum`)."""
    notes: list[NoteEvent]                   # its notes
    words_s: list[tuple[float, float]]       # spans (start, end; s) of the caller's own voice left out
    started_again_s: float | None            # where the take the notes are of starts (s) when the caller started
    # the tune again, else None
    pauses_s: list[tuple[float, float]]      # where the caller broke off between two parts of the hum to talk:
    # (offset of the note before, onset of the note after; s)
    sung_again_s: list[tuple[float, float]] = field(default_factory=list)   # the bits (onset, offset; s) the caller
    # sang again after their words, left out (their second go is kept)


def the_hum(front: FrontEnd, notes: list[NoteEvent]) -> Hum:
    """The hum itself among a call's ``notes``: the caller's words before and after the hum
    (:func:`~humitout.audio.speech.without_spoken_edges`) and a lone short note apart from it at either edge
    (:func:`~humitout.audio.speech.without_lone_edge_notes`), then a take they stopped and the words after it
    (:func:`~humitout.audio.speech.last_take`), then their words between two parts of the hum
    (:func:`~humitout.audio.speech.without_words_between`) left out; where they broke off to talk, also where their
    words left no notes (:func:`~humitout.audio.speech.words_in_pauses`), the tune runs on (``pauses_s``), without a
    bit they sang again after the words (:func:`~humitout.audio.speech.without_notes_sung_again`)."""
    notes, words = without_spoken_edges(front.track, notes, front.vowels, min_rest_s=MIN_VOICED_S)
    notes, lone = without_lone_edge_notes(notes)
    words += lone
    take, started_s = last_take(front.track, front.energy, notes, front.vowels, min_rest_s=MIN_VOICED_S)
    if started_s is not None:
        words.append((notes[0].onset_s, started_s))
    take, between = without_words_between(front.track, take, front.vowels, min_rest_s=MIN_VOICED_S,
                                          energy_db=front.energy)
    pauses = [(max(n.offset_s for n in take if n.offset_s <= start), min(n.onset_s for n in take if n.onset_s >= end))
              for start, end in between
              if any(n.offset_s <= start for n in take) and any(n.onset_s >= end for n in take)]
    silent = [p for p in words_in_pauses(front.track, front.energy, take) if p not in pauses]
    take, pauses, again = without_notes_sung_again(take, pauses + silent)
    return Hum(notes=take, words_s=words + between + silent + again, started_again_s=started_s,
               pauses_s=sorted(pauses), sung_again_s=again)


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


def analyse_recording(data: bytes, *, lyrics: Lyrics | None = None) -> Analysis:
    """The whole Transcribe stage: audio file bytes -> :class:`Analysis`.

    Raises :class:`BadAudio` when the recording cannot give a melody (codes above).
    """
    x, sr, raised_db = decode_call(data)
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
    speech = sounds_like_speech(track, notes, front.vowels)
    if speech:
        raise BadAudio("no_melody", speech)
    hum = the_hum(front, notes)
    notes = hum.notes
    voiced_s = float(sum(n.offset_s - n.onset_s for n in notes))
    notes, key = sung_notes(notes)  # after the speech test, which reads how far pitches sit off one grid

    onsets = np.array([n.onset_s for n in notes])
    offsets = np.array([n.offset_s for n in notes])
    midi = np.array([n.midi for n in notes])
    rhythm, timing, paused = hum_rhythm(onsets, offsets, midi, duration, hum.pauses_s)
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
        key=key, lyrics=lyrics or Lyrics(), mood=mood, warnings=warnings, **timing,
        call=read_call(notes, hop_s=track.hop_s, voiced=track.voiced, confidence=track.confidence,
                       energy_db=energy, dead=front.dead, reverberant=front.reverberant, words_s=hum.words_s,
                       started_again_s=hum.started_again_s, sang_again=bool(hum.sung_again_s),
                       talked_between=bool(hum.pauses_s and timing["breaks_s"]), paused_between=paused,
                       raised_db=raised_db))


def in_meter(analysis: Analysis, meter: TimeSignature) -> Analysis:
    """``analysis`` with its beats, bars, pickup and tempo read again in ``meter``, the one the caller named
    (:func:`~humitout.audio.rhythm.rhythm_in_meter`); the notes, key and the rest as heard."""
    if analysis.time_signature == meter:
        return analysis
    on, off, midi = (np.array([getattr(n, f) for n in analysis.notes]) for f in ("onset_s", "offset_s", "midi"))
    return analysis.model_copy(update=rhythm_fields(*across_breaks(rhythm_in_meter, on, off, midi, analysis.duration_s,
                                                                    analysis.breaks_s, meter=meter)))


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


def hum_rhythm(onsets_s: np.ndarray, offsets_s: np.ndarray, midi: np.ndarray, duration_s: float,
               pauses_s: list[tuple[float, float]], *, min_silence_s: float = 1.2,
               told_notes: int = 4) -> tuple[Rhythm, dict, bool]:
    """The rhythm of the hum's notes (onsets, offsets s; MIDI; (k,) each) in a call ``duration_s`` s long, its
    Analysis fields (:func:`rhythm_fields` and ``breaks_s``) and whether the caller is told that a silence inside the
    hum closed (``paused_between``: by half a beat or more, ``told_notes`` notes or more either side of it, not a
    syllable or two of the caller's left as notes before or after the hum). Where the caller broke off between two
    parts of the hum to talk (``pauses_s``: offset of the note before, onset of the note after; s) or fell silent for
    ``min_silence_s`` s or more between two notes (:func:`~humitout.audio.rhythm.long_silences`) and did not keep the
    tune's time there, the tune runs on as it would have (:func:`~humitout.audio.rhythm.joined_breaks`,
    :func:`~humitout.audio.rhythm.across_breaks`)."""
    silences = [(a, b) for a, b in long_silences(onsets_s, offsets_s, min_s=min_silence_s)
                if not any(a < d + 1e-3 and c < b + 1e-3 for c, d in pauses_s)]
    breaks = joined_breaks(onsets_s, offsets_s, midi, duration_s, pauses_s, silences_s=silences)
    rhythm, grid = across_breaks(analyse_rhythm, onsets_s, offsets_s, midi, duration_s, breaks)
    silence_ends = {b for _, b in silences}
    on = np.asarray(onsets_s, float)
    half_beat_s = 30.0 / rhythm.beat_bpm
    told = any(end in silence_ends and end - start >= half_beat_s
               and min(np.count_nonzero(on < end), np.count_nonzero(on >= end)) >= told_notes for start, end in breaks)
    return rhythm, {**rhythm_fields(rhythm, grid), "breaks_s": [(round(a, 3), round(b, 3)) for a, b in breaks]}, told


def pauses_of(analysis: Analysis) -> list[tuple[float, float]]:
    """The pauses (offset of the note before, onset of the note after; s) at which ``analysis``'s breaks were
    joined where the caller talked (:func:`hum_rhythm`; a call read ``talked_between``: all its breaks, those it
    closed at a long silence too; the silences :func:`hum_rhythm` finds again from the notes)."""
    if "talked_between" not in analysis.call.conditions:
        return []
    return [(max((n.offset_s for n in analysis.notes if n.offset_s <= start + 1e-3), default=start), end)
            for start, end in analysis.breaks_s]


def rhythm_fields(rhythm: Rhythm, grid: Rhythm | None = None) -> dict:
    """The Analysis fields of a :class:`~humitout.audio.rhythm.Rhythm`: quarter-note tempo (BPM,
    clipped to the contract's range), beats and downbeats (s; those of ``grid`` when given: the rhythm's on the
    recording's times, :func:`~humitout.audio.rhythm.across_breaks`), pickup (beats), time signature and
    confidences."""
    grid = grid or rhythm
    return {"tempo_bpm": round(float(np.clip(rhythm.quarter_bpm, 20.5, 319.0)), 2),
            "beats_s": [round(float(b), 3) for b in grid.beats_s],
            "downbeats_s": [round(float(b), 3) for b in grid.downbeats_s],
            "pickup_beats": rhythm.pickup_beats, "time_signature": rhythm.time_signature,
            "beat_confidence": rhythm.beat_confidence, "meter_confidence": rhythm.meter_confidence,
            "downbeat_confidence": rhythm.downbeat_confidence}
