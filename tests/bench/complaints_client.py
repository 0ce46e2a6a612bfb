"""What the complaint benchmark sends: the photo, multipart bodies as Chromium builds them, a login, the checks."""

import http.client
import io
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from tests.bench.complaints_config import BASELINE_FIELDS, BOUNDARY, FORM_PATH, INBOX_PATH, RECEIPT_PATH
from tests.bench.survey_config import BASELINE_PATH, HOST, BenchError
from tests.bench.survey_servers import Gunicorn
from tests.bench.survey_setup import cookies_from, count_rows, hidden_inputs

CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
TITLE = "Biaya di luar tarif resmi di loket izin"
DESCRIPTION = (
    "Saat mengurus izin usaha pada hari Senin, petugas loket 2 meminta uang Rp50.000 di luar tarif resmi tanpa "
    "kuitansi. Mohon ditindaklanjuti dan uang saya dikembalikan."
)
RESPONSE_TEXT = "Berkas Anda sudah kami proses"  # in every answered complaint of complaints_seed


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    ms: float


def send(server: Gunicorn, method: str, path: str, *, body: bytes | None = None, headers=None) -> Reply:
    """One request on a fresh connection, timed from sending to the last byte read."""
    conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
    try:
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=dict(headers or {}))
        resp = conn.getresponse()
        data = resp.read()
        return Reply(resp.status, resp.msg, data, (time.perf_counter() - start) * 1000)
    finally:
        conn.close()


def photo(target: int) -> bytes:
    """A phone-like JPEG of about `target` bytes (1600x1200, texture and gradients) with camera and GPS EXIF."""
    from PIL import Image, ImageChops

    size = (1600, 1200)
    noise = Image.effect_noise(size, 40)
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (gradient, noise, ImageChops.blend(gradient, noise, 0.5)))
    exif = image.getexif()
    exif[0x010F], exif[0x0110] = "Samsung", "SM-A105F"
    exif.get_ifd(0x8825).update({1: "N", 2: (0.0, 8.0, 29.5), 3: "E", 4: (117.0, 30.0, 12.25)})
    best = b""
    low, high = 5, 95
    while low <= high:  # the highest quality that stays under the target
        quality = (low + high) // 2
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, exif=exif)
        if out.tell() <= target:
            best, low = out.getvalue(), quality + 1
        else:
            high = quality - 1
    if not best:
        raise BenchError(f"cannot make a JPEG of at most {target} bytes")
    return best


def _file(jpeg: bytes | None) -> tuple[str, str, bytes]:
    """A file input's part: the photo, or what Chromium sends for an input left empty."""
    return ("IMG_20261102_101512.jpg", "image/jpeg", jpeg) if jpeg else ("", "application/octet-stream", b"")


def multipart(fields: list[tuple[str, str | tuple[str, str, bytes]]]) -> bytes:
    """A multipart/form-data body as Chromium sends it, in page order; a file is (filename, type, bytes)."""
    parts = []
    for name, value in fields:
        if isinstance(value, tuple):
            filename, ctype, data = value
            head = f'name="{name}"; filename="{filename}"\r\nContent-Type: {ctype}'
        else:
            head, data = f'name="{name}"', value.encode()
        parts.append(f"--{BOUNDARY}\r\nContent-Disposition: form-data; {head}\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def complaint_body(token: str, unit_id: int, jpeg: bytes | None) -> bytes:
    """The public form filled as a citizen does (identity left blank), in the order of the page."""
    return multipart([
        ("csrf_token", token), ("klasifikasi", "pengaduan"), ("unit", str(unit_id)), ("layanan", ""), ("unsur", "U4"),
        ("judul", TITLE), ("uraian", DESCRIPTION), ("tanggal", ""), ("permintaan", ""), ("lampiran", _file(jpeg)),
        ("nama", ""), ("email", ""), ("telepon", ""),
    ])  # fmt: skip


def baseline_body(jpeg: bytes) -> bytes:
    """The baseline's nine answers, sent as multipart with the same photo (the baseline ignores the file)."""
    return multipart([*BASELINE_FIELDS.items(), ("lampiran", _file(jpeg))])


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def open_form(server: Gunicorn) -> tuple[str, str]:
    """GET the complaint form as a first visit: (the cookies it set, as a Cookie header; its CSRF token)."""
    reply = send(server, "GET", FORM_PATH)
    token = hidden_inputs(reply.body.decode()).get("csrf_token")
    if reply.status != 200 or not token:
        raise BenchError(f"GET {FORM_PATH} answered {reply.status} (CSRF token found: {bool(token)})")
    return _cookie_header(cookies_from(reply.headers)), token


def log_in(server: Gunicorn, username: str, password: str) -> str:
    """Log the officer in; the session cookie of the logged-in officer, as a Cookie header."""
    page = send(server, "GET", "/auth/login")
    cookies = cookies_from(page.headers)
    token = hidden_inputs(page.body.decode()).get("csrf_token", "")
    body = urlencode({"csrf_token": token, "username": username, "password": password}).encode()
    headers = {"Cookie": _cookie_header(cookies), "Content-Type": "application/x-www-form-urlencoded"}
    reply = send(server, "POST", "/auth/login", body=body, headers=headers)
    if reply.status != 302:
        raise BenchError(f"officer login answered {reply.status}, expected 302")
    return _cookie_header(cookies | cookies_from(reply.headers))


def check_post(server: Gunicorn, db_path: Path, body: bytes, cookie: str, *, files: int) -> None:
    """A complaint POST answers 303 to the receipt and stores one complaint (and `files` attachments)."""
    before = count_rows(db_path, "complaints"), count_rows(db_path, "complaint_attachments")
    headers = {"Cookie": cookie, "Content-Type": CONTENT_TYPE}
    reply = send(server, "POST", FORM_PATH, body=body, headers=headers)
    if reply.status != 303 or not (reply.headers.get("Location") or "").endswith(RECEIPT_PATH):
        raise BenchError(f"complaint POST answered {reply.status} ({reply.headers.get('Location')}), expected 303:\n"
                         f"{reply.body.decode(errors='replace')[:2000]}")  # fmt: skip
    after = count_rows(db_path, "complaints"), count_rows(db_path, "complaint_attachments")
    if after != (before[0] + 1, before[1] + files):
        raise BenchError(f"complaint POST stored {after[0] - before[0]} complaints, {after[1] - before[1]} files")
    no_token = re.sub(rb'name="csrf_token"\r\n\r\n[^\r]*', b'name="csrf_token"\r\n\r\n', body)
    status = send(server, "POST", FORM_PATH, body=no_token, headers=headers).status
    if status != 400:
        raise BenchError(f"complaint POST without the CSRF token answered {status}, expected 400")


def check_pages(office: Gunicorn, cookie: str, track_path: str) -> dict[str, int]:
    """The tracking page shows the office's answer; the inbox lists a full page. Their sizes in bytes."""
    track = send(office, "GET", track_path)
    if track.status != 200 or RESPONSE_TEXT not in track.body.decode():
        raise BenchError(f"GET {track_path} answered {track.status} without the office's answer")
    inbox = send(office, "GET", INBOX_PATH, headers={"Cookie": cookie})
    rows = len(re.findall(rb'href="/admin/pengaduan/\d+"', inbox.body))
    if inbox.status != 200 or rows != 50:
        raise BenchError(f"GET {INBOX_PATH} answered {inbox.status} with {rows} reports, expected 200 with 50")
    return {"track": len(track.body), "inbox": len(inbox.body)}


def check_baseline_file(baseline: Gunicorn, body: bytes) -> None:
    reply = send(baseline, "POST", BASELINE_PATH, body=body, headers={"Content-Type": CONTENT_TYPE})
    if reply.status != 303:
        raise BenchError(f"baseline multipart POST answered {reply.status}, expected 303")
