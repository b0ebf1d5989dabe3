"""Notify tasks: the success SMS (handler) and NotifyFailure (failure_handler)."""
from humitout import pipeline
from humitout.stage_handler import stage_handler

handler = stage_handler("notify", pipeline.notify)
failure_handler = stage_handler("notify-failure", pipeline.notify_failure)
