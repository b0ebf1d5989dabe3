"""S3 object storage (boto3). ``AWS_ENDPOINT_URL`` points it at the local moto server.

Key layout: ``sessions/{session_id}/original.<ext>``, ``.../analysis.json``,
``.../v{version}/arrangement.json`` and ``.../v{version}/<package files>``.
"""
from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

CONTENT_TYPES = {".mid": "audio/midi", ".musicxml": "application/vnd.recordare.musicxml+xml",
                 ".wav": "audio/wav", ".zip": "application/zip", ".txt": "text/plain; charset=utf-8",
                 ".json": "application/json", ".png": "image/png"}


def session_prefix(session_id: str) -> str:
    return f"sessions/{session_id}"


def version_prefix(session_id: str, version: int) -> str:
    return f"sessions/{session_id}/v{version}"


class Storage:
    """A bucket with JSON helpers and presigned GET links."""

    def __init__(self, bucket: str, client: Any | None = None):
        self.bucket = bucket
        self.s3 = client or boto3.client("s3", config=Config(signature_version="s3v4", retries={"mode": "standard"}))

    def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=data, ServerSideEncryption="AES256",
                           ContentType=content_type or _content_type(key))

    def put_file(self, key: str, path: Path) -> int:
        """Upload ``path``; returns its size in bytes."""
        self.s3.upload_file(str(path), self.bucket, key,
                            ExtraArgs={"ServerSideEncryption": "AES256", "ContentType": _content_type(key)})
        return path.stat().st_size

    def get_bytes(self, key: str) -> bytes:
        return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def put_json(self, key: str, doc: Any) -> None:
        body = doc.model_dump_json(indent=1) if hasattr(doc, "model_dump_json") else json.dumps(doc, indent=1)
        self.put_bytes(key, body.encode(), "application/json")

    def get_json(self, key: str) -> Any:
        return json.loads(self.get_bytes(key))

    def presign_get(self, key: str, ttl_s: int, filename: str | None = None) -> str:
        """A presigned GET URL valid ``ttl_s`` seconds, served as an attachment named ``filename``."""
        params = {"Bucket": self.bucket, "Key": key}
        if filename:
            params["ResponseContentDisposition"] = f'attachment; filename="{filename}"'
        return self.s3.generate_presigned_url("get_object", Params=params, ExpiresIn=ttl_s)


def _content_type(key: str) -> str:
    suffix = Path(key).suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"
