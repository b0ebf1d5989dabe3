"""Transcribe task: recording -> analysis.json (notes, tempo, key, lyrics)."""
from humitout import pipeline
from humitout.stage_handler import stage_handler

handler = stage_handler("transcribe", pipeline.transcribe)
