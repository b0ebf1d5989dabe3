"""onsets_under_talker: a note after a gap whose head the tracker gave to a talker at another pitch starts
where its own harmonics rise at the note's level, not where the tracker let go of the talker; a note the
caller starts after the talker, one with no other voice heard in front, or a floor at its own harmonics far
under its level keeps its onset."""
import numpy as np
from hum_synth import steady_voice

from humitout.audio.f0 import PitchTrack, midi_to_hz
from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.harmonics import onsets_under_talker

SR = 8000
HOP = 0.01
T = np.arange(SR) / SR
FRAMES = np.arange(int(1.0 / HOP)) * HOP


def _track(talker_until_s: float) -> PitchTrack:
    """1 s of tracker frames: the talker's MIDI 45 heard from 0.3 s to ``talker_until_s``, the caller's MIDI 60
    from there on, nothing before."""
    midi = np.where(FRAMES < talker_until_s, 45.0, 60.0)
    voiced = FRAMES >= 0.3
    return PitchTrack(hz=np.asarray(midi_to_hz(midi), float), confidence=np.where(voiced, 0.9, 0.1), voiced=voiced,
                      hop_s=HOP)


def _level_db(x: np.ndarray) -> np.ndarray:
    """Frame energy (dB) of ``x`` on the tracker's grid (20 ms windows)."""
    return np.array([10 * np.log10(np.mean(x[int(t * SR):int(t * SR) + 160] ** 2) + 1e-12) for t in FRAMES])


def _call(caller_from_s: float, talker_until_s: float = 0.62) -> np.ndarray:
    """A talker at MIDI 45 (half the caller's level) from 0.2 s to ``talker_until_s``, the caller's MIDI 60
    from ``caller_from_s`` to 1 s."""
    rng = np.random.default_rng(5)
    talker = 0.05 * steady_voice(T, 45.0) * ((T >= 0.2) & (T < talker_until_s))
    caller = 0.1 * steady_voice(T, 60.0) * (T >= caller_from_s)
    return talker + caller + 1e-4 * rng.standard_normal(len(T))


def test_note_starts_at_the_callers_attack_under_a_talker():
    # the caller sings from 0.5 s; the tracker follows the talker to 0.6 s and the note starts there
    x = _call(caller_from_s=0.5)
    notes = [NoteEvent(0.6, 1.0, 60.0, 0.9)]
    out = onsets_under_talker(notes, x, SR, _track(0.6), _level_db(x))
    assert abs(out[0].onset_s - 0.5) <= 0.02 and out[0].midi == 60.0


def test_note_the_caller_starts_after_the_talker_keeps_its_onset():
    # the talker stops at 0.6 s and the caller starts there: nothing of the note sounds under the talker
    x = _call(caller_from_s=0.6, talker_until_s=0.6)
    notes = [NoteEvent(0.6, 1.0, 60.0, 0.9)]
    assert onsets_under_talker(notes, x, SR, _track(0.6), _level_db(x)) == notes


def test_no_other_voice_heard_in_front_keeps_the_onset():
    # the tracker heard the note's own pitch (a melodic step away or closer) in front of it: not a talker
    x = _call(caller_from_s=0.5)
    notes = [NoteEvent(0.6, 1.0, 60.0, 0.9)]
    assert onsets_under_talker(notes, x, SR, _track(0.3), _level_db(x)) == notes


def test_floor_at_the_notes_own_harmonics_far_under_its_level_is_no_attack():
    # a voice whose level is its 2nd harmonic (shared with the talker's, so not among the note's own), its own
    # harmonics 20 dB under; from 0.45 s a floor at those own harmonics as strong as in the note (babble at its
    # pitch), 20 dB under the note's level, the attack at 0.6 s: the onset stays at the attack (within a frame
    # of the energy's window); without the level check the walk takes the floor for the attack
    rng = np.random.default_rng(6)
    talker = 0.01 * steady_voice(T, 53.0) * ((T >= 0.2) & (T < 0.6))
    own = 0.01 * steady_voice(T, 60.0) * (T >= 0.45)
    second = 0.1 * np.sin(2 * np.pi * 2 * midi_to_hz(60.0) * T) * (T >= 0.6)
    x = talker + own + second + 1e-4 * rng.standard_normal(len(T))
    track = _track(0.6)
    track = PitchTrack(hz=np.where(FRAMES < 0.6, midi_to_hz(53.0), track.hz), confidence=track.confidence,
                       voiced=track.voiced, hop_s=HOP)
    notes = [NoteEvent(0.6, 1.0, 60.0, 0.9)]
    level = _level_db(x)
    assert abs(onsets_under_talker(notes, x, SR, track, level)[0].onset_s - 0.6) <= 0.011
    assert onsets_under_talker(notes, x, SR, track, level, attack_db=100.0)[0].onset_s < 0.55
