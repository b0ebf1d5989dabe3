"""Render task (container image with FluidSynth): arrangement.json -> DAW package in S3."""
from humitout import pipeline
from humitout.stage_handler import stage_handler

handler = stage_handler("render", pipeline.render)
