"""How a server is deployed: its store, where batches' reports and uploads go, an inputs folder HR may
pick from, and how it sits behind a proxy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional


@dataclass(frozen=True)
class WebConfig:
    store_url: str
    reports_dir: Path  # each batch created from a page writes its reports in a new folder here
    uploads_dir: Path  # uploaded inputs, kept by their SHA-256
    inputs_dir: Optional[Path] = None  # a folder of inputs HR may create a batch from, without uploading
    #: Behind a TLS proxy that sets X-Forwarded-For / X-Forwarded-Proto: trust them (only then).
    trust_proxy: bool = False
    #: Secure cookies: True always, False never (plain http on 127.0.0.1), None when the request came by https.
    secure_cookies: Optional[bool] = None
    max_request_bytes: int = 256 * 1024 * 1024
