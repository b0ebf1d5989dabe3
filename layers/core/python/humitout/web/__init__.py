"""The web app ("My tracks"): sign-in, history with live progress, the track page.

Framework-free on purpose: the Lambda handlers (``functions/web``, ``functions/links``) turn
API Gateway events into :class:`~humitout.web.http.Request` and back; everything here is
plain functions over :class:`~humitout.runtime.Services`.
"""
