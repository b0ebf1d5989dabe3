"""Compose task: analysis.json -> arrangement.json (AG2 agents + harmoniser)."""
from humitout import pipeline
from humitout.stage_handler import stage_handler

handler = stage_handler("compose", pipeline.compose)
