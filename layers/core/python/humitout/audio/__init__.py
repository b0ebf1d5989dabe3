"""Melody analysis of a phone recording: decode, f0, notes, tempo, key, mood, lyrics.

Pure functions (no AWS). The Transcribe Lambda calls
:func:`humitout.audio.transcribe.analyse_recording`; submodules are imported
explicitly so that light users (decode only) do not load the ONNX model.
"""
