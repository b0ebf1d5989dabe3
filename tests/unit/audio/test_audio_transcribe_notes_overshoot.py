"""A short note after a legato leap is read where the voice settles, not on its overshoot."""
from hum_synth import hum, phone, wav_bytes

from humitout.audio.decode import decode_audio
from humitout.audio.transcribe import transcribe_samples

NOTES = [(0.5, 1.0, 55.0), (1.0, 1.22, 62.0), (1.22, 1.7, 57.0), (1.7, 1.92, 52.0), (1.92, 2.4, 55.0)]


def test_short_note_after_a_legato_leap_is_named_where_the_voice_settles():
    # leaps of 7 and 5 semitones into 0.22 s notes, each overshooting by 1.2 semitones 40 ms in and settling:
    # the cores of those notes lie half a semitone or more past the sung pitch
    y, sr = decode_audio(wav_bytes(phone(hum(NOTES, overshoot_st=1.2))))
    assert [round(n.midi) for n in transcribe_samples(y, sr)[2]] == [55, 62, 57, 52, 55]
