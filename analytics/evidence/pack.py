"""The evidence pack's container: files with the LKE items they support, the manifest, and the ZIP.

At the ZIP's root: ``manifest.json`` and ``manifest.csv`` (every other file's path, SHA-256, size, LKE items and
description), ``SHA256SUMS`` (so ``sha256sum -c SHA256SUMS`` checks every file after unzipping) and
``BACA-SAYA.txt``. Every LKE item of ``items.ITEMS`` is supported by at least one file: an item nothing supports
gets a ``belum-tersedia/<item>.txt`` that says what is missing.
"""

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

from analytics.evidence.items import CODES, ITEMS

MANIFEST_FILES = ("manifest.json", "manifest.csv", "SHA256SUMS")
MISSING_FOLDER = "belum-tersedia/"


@dataclass(frozen=True)
class EvidenceFile:
    path: str  # inside the ZIP, "/"-separated
    data: bytes
    lke: tuple[str, ...]
    description: str

    def __post_init__(self) -> None:
        unknown = set(self.lke) - set(CODES)
        if unknown or self.path in MANIFEST_FILES or self.path.startswith("/") or ".." in self.path.split("/"):
            raise ValueError(f"bad evidence file {self.path!r} {sorted(unknown)}")

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Pack:
    unit_slug: str
    unit_name: str
    year: int
    generated_at: datetime  # office time, with its zone
    files: list[EvidenceFile] = field(default_factory=list)

    def add(self, path: str, data: bytes | str, lke: tuple[str, ...], description: str) -> None:
        if any(existing.path == path for existing in self.files):
            raise ValueError(f"duplicate evidence path {path!r}")
        body = data.encode("utf-8") if isinstance(data, str) else data
        self.files.append(EvidenceFile(path, body, tuple(lke), description))

    def covered(self) -> set[str]:
        return {code for f in self.files for code in f.lke}

    def complete(self) -> None:
        """Add a "belum tersedia" file for every LKE item no file supports yet."""
        for item in ITEMS:
            if item.code not in self.covered():
                text = (f"{item.code} {item.question}\n\nBELUM TERSEDIA untuk {self.unit_name}, tahun {self.year}.\n\n"
                        f"{item.when_missing}\n")  # fmt: skip
                self.add(f"{MISSING_FOLDER}{item.code}.txt", text, (item.code,),
                         f"Yang belum tersedia untuk {item.code}")  # fmt: skip

    def manifest(self) -> dict:
        return {
            "unit": self.unit_slug,
            "unit_name": self.unit_name,
            "year": self.year,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "files": [
                {"path": f.path, "sha256": f.sha256, "bytes": len(f.data), "lke": list(f.lke),
                 "description": f.description}
                for f in self.files
            ],
            "lke": {item.code: item.question for item in ITEMS},
        }  # fmt: skip


def manifest_csv(manifest: dict) -> bytes:
    """The manifest's file list as CSV (UTF-8 with a BOM for spreadsheets), LKE items joined by spaces."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["path", "sha256", "bytes", "lke", "description"])
    for f in manifest["files"]:
        writer.writerow([f["path"], f["sha256"], f["bytes"], " ".join(f["lke"]), f["description"]])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _readme(pack: Pack) -> str:
    lines = [
        f"Paket bukti Zona Integritas: {pack.unit_name}, tahun {pack.year}",
        f"Dibuat {pack.generated_at:%d-%m-%Y %H:%M} waktu kantor oleh aplikasi SKM dan pengaduan.",
        "",
        "manifest.json dan manifest.csv mendaftar setiap berkas: jalur, SHA-256, ukuran, butir LKE yang",
        "didukungnya, dan keterangannya. Periksa bahwa tidak ada yang diubah dengan, di folder hasil ekstrak:",
        "",
        "    sha256sum -c SHA256SUMS",
        "",
        "Data pribadi pelapor dan responden tidak dimuat: register pengaduan tanpa identitas pelapor, isi",
        "pengaduan rahasia tidak dimuat, dan NIK, nomor telepon, email, serta nama yang disebut sendiri dalam",
        "teks disamarkan. Laporan WBS hanya berupa jumlah.",
        "",
        "Butir LKE:",
        *(f"  {item.code}: {item.question}" for item in ITEMS),
    ]
    return "\n".join(lines) + "\n"


def write_zip(pack: Pack, out: BinaryIO) -> dict:
    """Complete the pack, write it as a ZIP to `out` and return its manifest."""
    pack.complete()
    if "BACA-SAYA.txt" not in {f.path for f in pack.files}:
        pack.add("BACA-SAYA.txt", _readme(pack), (), "Isi paket dan cara memeriksa keutuhannya")
    manifest = pack.manifest()
    stamp = pack.generated_at.timetuple()[:6]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def put(path: str, data: bytes) -> None:
            archive.writestr(zipfile.ZipInfo(path, date_time=stamp), data, compress_type=zipfile.ZIP_DEFLATED)

        put("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))
        put("manifest.csv", manifest_csv(manifest))
        put("SHA256SUMS", "".join(f"{f.sha256}  {f.path}\n" for f in pack.files).encode("utf-8"))
        for f in pack.files:
            put(f.path, f.data)
    return manifest


def missing_items(manifest: dict | None) -> list[str]:
    """The LKE items a pack's data does not support yet (those with a "belum tersedia" file)."""
    files = (manifest or {}).get("files", [])
    return sorted({code for f in files if f["path"].startswith(MISSING_FOLDER) for code in f["lke"]})
