"""Uploads are judged by their content: photos re-encoded without metadata, PDFs checked by their bytes and then
rewritten without metadata, and a refused file leaves nothing behind (no complaint, no attachment, no event, no
e-mail)."""

import io
import struct
import zlib

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app import uploads as attachments
from app.extensions import db
from app.uploads import clean_upload
from tests.test_attachments_pdf import (
    MAX,
    encrypted_pdf,
    everything_pypdf_reads,
    long_pdf,
    pdf_with_reporter_metadata,
    refusal,
    simple_pdf,
    unreadable_pdf,
)

SECRET_MAKE = "KameraRahasia"
GPS = {1: "S", 2: (6.0, 10.0, 30.0), 3: "E", 4: (106.0, 49.0, 12.0)}  # south 6°10'30", east 106°49'12"


def jpeg_with_gps(size=(1200, 900), orientation: int = 1, **save) -> bytes:
    """A JPEG photo carrying EXIF GPS coordinates, a camera make, an orientation and a comment."""
    exif = Image.Exif()
    exif[0x010F] = SECRET_MAKE
    exif[0x0112] = orientation
    exif[0x8825] = GPS
    picture = Image.new("RGB", size, (180, 40, 40))
    picture.paste((20, 20, 200), (0, 0, size[0] // 2, size[1] // 3))  # not uniform: orientation is visible
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes(), comment=b"dibuat di rumah pelapor", **save)
    return out.getvalue()


def png_bytes(size=(300, 200), mode="RGBA", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG", **save)
    return out.getvalue()


def png_bomb() -> bytes:
    """A 20000 x 20000 PNG (400 megapixels) that compresses to some 50 KB."""
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge picture, with a tiny (truncated) body: a bomb before any decoding."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


# -- photos -------------------------------------------------------------------------------------------------------


def test_an_accepted_photo_has_no_exif_gps_camera_or_comment_left():
    original = jpeg_with_gps()
    assert b"Exif" in original and SECRET_MAKE.encode() in original  # the test photo really carries them
    clean = clean_upload(original, max_bytes=MAX)
    assert (clean.mimetype, clean.extension) == ("image/jpeg", "jpg")
    picture = Image.open(io.BytesIO(clean.data))
    assert picture.format == "JPEG"
    assert dict(picture.getexif()) == {}
    assert picture.getexif().get_ifd(0x8825) == {}
    for marker in (b"Exif", b"GPS", SECRET_MAKE.encode(), b"rumah pelapor", b"ICC_PROFILE", b"http://ns.adobe.com"):
        assert marker not in clean.data
    assert "comment" not in picture.info and "exif" not in picture.info


def test_a_photo_is_turned_upright_by_its_exif_orientation_before_the_exif_goes():
    clean = clean_upload(jpeg_with_gps((400, 200), orientation=6), max_bytes=MAX)  # 6 = rotate 90° clockwise
    assert Image.open(io.BytesIO(clean.data)).size == (200, 400)


def test_a_large_photo_is_scaled_down_to_the_longest_side_limit():
    clean = clean_upload(jpeg_with_gps((6000, 4000), quality=40), max_bytes=MAX)
    assert max(Image.open(io.BytesIO(clean.data)).size) == attachments.MAX_SIDE


def test_png_text_and_colour_profile_chunks_are_dropped_and_transparency_kept():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "Jl. Pelapor No. 7")
    original = png_bytes(pnginfo=info, icc_profile=b"\0" * 128)
    clean = clean_upload(original, max_bytes=MAX)
    assert clean.mimetype == "image/png"
    assert b"Pelapor" not in clean.data and b"iCCP" not in clean.data and b"tEXt" not in clean.data
    assert Image.open(io.BytesIO(clean.data)).mode == "RGBA"


def test_a_jpeg_with_a_zip_and_html_payload_appended_is_re_encoded_and_the_payload_is_gone():
    payload = b"PK\x03\x04" + b"evil.exe" * 50 + b"<html><script>alert(1)</script></html>"
    clean = clean_upload(jpeg_with_gps() + payload, max_bytes=MAX)
    assert b"PK\x03\x04" not in clean.data and b"<script" not in clean.data and b"evil.exe" not in clean.data
    assert Image.open(io.BytesIO(clean.data)).size == (1200, 900)


def test_a_jpeg_that_is_also_a_pdf_is_cleaned_into_a_plain_jpeg():
    photo = jpeg_with_gps()
    polyglot = photo[:2] + b"\xff\xfe\x00\x10%PDF-1.7 obj " + photo[2:]  # a JPEG comment a PDF reader would find
    assert b"%PDF-1.7" in polyglot[:1024]
    clean = clean_upload(polyglot, max_bytes=MAX)
    assert clean.mimetype == "image/jpeg" and b"%PDF" not in clean.data


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 200 + b"This program cannot be run in DOS mode", id="exe"),
        pytest.param(b"\x7fELF\x02\x01\x01" + b"\0" * 200, id="elf"),
        pytest.param(b"PK\x03\x04\x14\x00" + b"\0" * 200, id="zip"),
        pytest.param(b"#!/bin/sh\nrm -rf ~\n", id="script"),
        pytest.param(b"<!doctype html><html><script>alert(document.cookie)</script></html>", id="html"),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", id="svg"),
        pytest.param(b"GIF89a" + b"\0" * 100, id="gif"),
    ],
)
def test_anything_but_jpeg_png_or_pdf_is_refused_whatever_its_name(data):
    assert refusal(data) == str(attachments.NOT_ALLOWED)


def test_empty_and_oversize_files_are_refused_and_the_limit_itself_is_allowed():
    assert refusal(b"") == attachments.EMPTY
    pdf = simple_pdf()
    limit = max(len(pdf), len(clean_upload(pdf, max_bytes=MAX).data))
    assert clean_upload(pdf, max_bytes=limit).mimetype == "application/pdf"
    assert refusal(pdf, max_bytes=len(pdf) - 1).startswith("Berkas terlalu besar: paling besar")
    assert refusal(b"\xff\xd8\xff" + b"\0" * (MAX + 1)) == "Berkas terlalu besar: paling besar 5 MB."


def test_decompression_bombs_are_refused_before_they_are_decoded():
    message = attachments.IMAGE_TOO_BIG % {"megapixels": 40}
    assert refusal(png_bomb()) == message  # 400 megapixels: more than our limit, less than Pillow's
    assert refusal(png_header_only(100_000, 100_000)) == message  # more than Pillow's own limit too


def test_a_truncated_or_corrupt_picture_is_refused():
    photo = jpeg_with_gps()
    assert refusal(photo[: len(photo) // 2]) == attachments.IMAGE_DAMAGED
    assert refusal(b"\x89PNG\r\n\x1a\n" + b"\0" * 100) == attachments.IMAGE_DAMAGED


def test_a_photo_whose_exif_points_past_its_end_is_cleaned_without_a_warning_escaping():
    """Found by the staff-upload fuzz: a changed byte in the EXIF block makes Pillow warn "Tag data larger than
    file" (an error under this suite's filterwarnings, a 500 then); the metadata is dropped anyway."""
    photo = jpeg_with_gps(size=(48, 32))
    at = len(photo) // 16
    broken = photo[:at] + bytes(b ^ 0x5A for b in photo[at : at + 2]) + photo[at + 2 :]
    clean = clean_upload(broken, max_bytes=MAX)
    assert clean.mimetype == "image/jpeg" and b"Exif" not in clean.data


# -- through the public form: a refusal stores nothing -------------------------------------------------------------


def multipart(data: dict) -> dict:
    """`client.post` arguments for a multipart body encoded in memory; a (bytes or BytesIO, name) pair is a file.

    (The test client would spool a large body to a temporary file it never closes.)
    """
    values = MultiDict()
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, tuple):
                content, filename = item
                raw = content if isinstance(content, bytes) else content.read()
                item = FileStorage(io.BytesIO(raw), filename=filename, content_type="application/octet-stream")
            values.add(name, item)
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def form_with(file_data: bytes, filename: str, **fields) -> dict:
    data = {"klasifikasi": "pengaduan", "judul": "Lampiran uji", "uraian": "Bukti terlampir.", **fields}
    data["lampiran"] = (io.BytesIO(file_data), filename)
    return data


def stored_counts() -> dict:
    from app.outbox import OutboxMessage
    from complaints.models import Attachment, Complaint, ComplaintEvent, Reporter

    return {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
            for m in (Complaint, Attachment, ComplaintEvent, Reporter, OutboxMessage)}  # fmt: skip


REFUSED_UPLOADS = [
    pytest.param(lambda: simple_pdf() + b"PK\x03\x04payload" + b"PK\x05\x06" + b"\0" * 18, "bukti.pdf",
                 attachments.PDF_TRAILING, id="pdf-zip-polyglot"),
    pytest.param(encrypted_pdf, "terkunci.pdf", attachments.PDF_UNSAFE, id="encrypted-pdf"),
    pytest.param(unreadable_pdf, "rusak.pdf", attachments.PDF_DAMAGED, id="unreadable-pdf"),
    pytest.param(lambda: long_pdf(attachments.PDF_MAX_PAGES + 1), "buku.pdf",
                 attachments.PDF_TOO_MANY_PAGES % {"limit": attachments.PDF_MAX_PAGES}, id="too-many-pages"),
    pytest.param(lambda: b"MZ\x90\x00" + b"\0" * 500, "foto.jpg", attachments.NOT_ALLOWED, id="renamed-exe"),
    pytest.param(lambda: b"<html><body><script>alert(1)</script></body></html>", "foto.jpg",
                 attachments.NOT_ALLOWED, id="html-named-jpg"),
    pytest.param(lambda: b"\xff\xd8\xff\xe0" + b"\0" * (MAX + 10), "besar.jpg",
                 "Berkas terlalu besar: paling besar 5 MB.", id="oversize"),
    pytest.param(png_bomb, "bom.png", attachments.IMAGE_TOO_BIG % {"megapixels": 40}, id="bomb"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "filename", "message"), REFUSED_UPLOADS)
def test_a_refused_upload_shows_a_clear_message_and_stores_nothing(client, demo, make, filename, message):
    before = stored_counts()
    response = client.post("/pengaduan/", **multipart(form_with(make(), filename)))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert str(message) in html
    assert f"Lampiran \u201c{filename}\u201d" in html
    assert 'href="#lampiran"' in html  # the summary links to the file field
    assert "Lampiran Uji" not in html and 'value="Lampiran uji"' in html  # typed values come back
    assert stored_counts() == before


def test_an_accepted_photo_is_stored_without_exif_under_a_generated_name(client, demo):
    from complaints.models import Attachment

    response = client.post("/pengaduan/", **multipart(form_with(jpeg_with_gps(), "IMG_20260301_rumah-saya.jpg")))
    assert response.status_code == 303
    stored = db.session.scalars(sa.select(Attachment)).one()
    assert (stored.filename, stored.mimetype) == ("lampiran-1.jpg", "image/jpeg")
    assert b"Exif" not in stored.data and SECRET_MAKE.encode() not in stored.data
    assert dict(Image.open(io.BytesIO(stored.data)).getexif()) == {}


def test_more_files_than_allowed_are_refused_and_nothing_is_stored(client, demo):
    before = stored_counts()
    data = form_with(jpeg_with_gps((50, 50)), "a.jpg")
    data["lampiran"] = [(io.BytesIO(jpeg_with_gps((50, 50))), f"{n}.jpg") for n in range(4)]
    response = client.post("/pengaduan/", **multipart(data))
    assert response.status_code == 400
    assert "Paling banyak 3 lampiran." in response.get_data(as_text=True)
    assert stored_counts() == before


def test_an_accepted_pdf_is_stored_without_the_reporters_name(client, demo):
    from complaints.models import Attachment

    response = client.post("/pengaduan/", **multipart(form_with(pdf_with_reporter_metadata(), "surat-siti.pdf")))
    assert response.status_code == 303
    stored = db.session.scalars(sa.select(Attachment)).one()
    assert (stored.filename, stored.mimetype) == ("lampiran-1.pdf", "application/pdf")
    assert b"Pelapor" not in stored.data and b"Pelapor" not in everything_pypdf_reads(stored.data)
