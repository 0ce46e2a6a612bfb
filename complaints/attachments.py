"""Attachments: JPEG, PNG and PDF checked by their bytes; images decoded and re-encoded without metadata."""

from dataclasses import dataclass


@dataclass(frozen=True)
class CleanFile:
    """An upload that passed the checks, ready to store: bytes as they will be served, and their type."""

    data: bytes
    mimetype: str  # image/jpeg, image/png or application/pdf
    extension: str  # jpg, png or pdf
