"""PDF attachments: checked by their bytes, then rewritten with pypdf so only the pages' content is kept (no
author, XMP, annotations or actions); unreadable, encrypted and overlong PDFs refused."""

import io
import subprocess
import sys
import zlib

import pytest
from PIL import Image

from app import uploads as attachments
from app.uploads import AttachmentError, clean_upload

MAX = 5 * 1024 * 1024


def simple_pdf(catalog_extra: bytes = b"", *, trailer: bytes = b"", body_objects: bytes = b"") -> bytes:
    """A small, well-formed one-page PDF; `catalog_extra` goes into the catalog dictionary."""
    content = b"BT /F1 18 Tf 72 720 Td (Bukti pembayaran) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    out.write(body_objects)
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer + b">>\n")
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def refusal(data: bytes, max_bytes: int = MAX) -> str:
    with pytest.raises(AttachmentError) as caught:
        clean_upload(data, max_bytes=max_bytes)
    return str(caught.value)


REPORTER = "Siti Pelapor Anonim"
PAGE_TEXT = ("Bukti pembayaran retribusi", "Halaman kedua: kuitansi")
XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    "<dc:creator><rdf:Seq><rdf:li>{name}</rdf:li></rdf:Seq></dc:creator>"
    "</rdf:Description></rdf:RDF></x:xmpmeta>"
)


def pdf_with_reporter_metadata() -> bytes:
    """A two-page PDF with visible text (ReportLab) that names its author everywhere a PDF can: /Info, a compressed
    XMP stream in the catalog and on a page, /PieceInfo editing data and a comment annotation whose /T is the
    author (added with pypdf)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Text
    from pypdf.generic import DictionaryObject, NameObject, StreamObject, TextStringObject
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    drawing = canvas.Canvas(out)
    drawing.setAuthor(REPORTER)
    for text in PAGE_TEXT:
        drawing.drawString(72, 720, text)
        drawing.showPage()
    drawing.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(out.getvalue())))
    writer.add_metadata({"/Author": REPORTER, "/Creator": f"Word untuk {REPORTER}"})
    xmp = StreamObject()
    xmp.set_data(XMP.format(name=REPORTER).encode())
    xmp.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    xmp = writer._add_object(xmp.flate_encode())  # compressed: the name is not in the raw bytes of the source
    writer._root_object[NameObject("/Metadata")] = xmp
    page = writer.pages[0]
    page[NameObject("/Metadata")] = xmp
    page[NameObject("/PieceInfo")] = DictionaryObject(
        {NameObject("/Word"): DictionaryObject({NameObject("/Private"): TextStringObject(REPORTER)})}
    )
    comment = writer.add_annotation(0, Text(text="lihat ini", rect=(50, 550, 200, 650)))
    comment[NameObject("/T")] = TextStringObject(REPORTER)
    result = io.BytesIO()
    writer.write(result)
    return result.getvalue()


def everything_pypdf_reads(data: bytes) -> bytes:
    """Every object of a PDF as pypdf reads it, streams decompressed."""
    from pypdf import PdfReader
    from pypdf.generic import StreamObject

    reader = PdfReader(io.BytesIO(data))
    parts = [repr(reader.trailer).encode()]
    for number in range(1, int(reader.trailer["/Size"])):
        obj = reader.get_object(number)
        parts.append(repr(obj).encode())
        if isinstance(obj, StreamObject):
            parts.append(obj.get_data())
    return b"\n".join(parts)


def test_a_pdf_keeps_its_pages_and_text_but_loses_the_authors_name_everywhere():
    from pypdf import PdfReader

    original = pdf_with_reporter_metadata()
    name = REPORTER.encode()
    assert name in original and name in everything_pypdf_reads(original)  # the test document really carries it
    source = PdfReader(io.BytesIO(original))
    assert source.metadata.author == REPORTER and source.xmp_metadata.dc_creator == [REPORTER]
    assert source.pages[0]["/Annots"][0].get_object()["/T"] == REPORTER

    clean = clean_upload(original, max_bytes=MAX)
    assert (clean.mimetype, clean.extension) == ("application/pdf", "pdf")
    assert b"Siti Pelapor" not in clean.data and b"Pelapor" not in everything_pypdf_reads(clean.data)
    for marker in (b"/Metadata", b"/PieceInfo", b"/Annots", b"/Author", b"/Creator"):
        assert marker not in clean.data
    result = PdfReader(io.BytesIO(clean.data))
    assert [page.extract_text().strip() for page in result.pages] == list(PAGE_TEXT)
    assert result.xmp_metadata is None
    assert not {key for key in (result.metadata or {}) if key != "/Producer"}
    attachments.check_pdf(clean.data)  # what we store would itself pass the checks


def test_a_plain_pdf_is_rewritten_with_its_page_content_unchanged():
    from pypdf import PdfReader

    pdf = simple_pdf()
    clean = clean_upload(pdf, max_bytes=MAX)
    assert (clean.mimetype, clean.extension) == ("application/pdf", "pdf")
    page = PdfReader(io.BytesIO(clean.data)).pages[0]
    assert page.get_contents().get_data() == b"BT /F1 18 Tf 72 720 Td (Bukti pembayaran) Tj ET"
    assert [float(n) for n in page.mediabox] == [0, 0, 595, 842]


def encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("", algorithm="RC4-128")  # opens without a password, still encrypted
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def unreadable_pdf() -> bytes:
    """A PDF that passes the byte checks but whose only page is not a page: pypdf cannot read it."""
    return simple_pdf().replace(b"/Kids [3 0 R]", b"/Kids [9 0 R]")


def long_pdf(pages: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_an_encrypted_pdf_is_refused_by_the_byte_checks_and_by_the_rewrite():
    assert refusal(encrypted_pdf()) == str(attachments.PDF_UNSAFE)
    with pytest.raises(AttachmentError) as caught:
        attachments.rewrite_pdf(encrypted_pdf(), max_bytes=MAX)
    assert str(caught.value) == str(attachments.PDF_UNSAFE)


def test_a_pdf_pypdf_cannot_read_is_refused():
    attachments.check_pdf(unreadable_pdf())  # the bytes alone look fine
    assert refusal(unreadable_pdf()) == attachments.PDF_DAMAGED
    assert refusal(simple_pdf()[:300] + b"\nstartxref\n0\n%%EOF\n") == attachments.PDF_DAMAGED


def test_a_pdf_with_too_many_pages_is_refused():
    from pypdf import PdfReader

    clean = clean_upload(long_pdf(attachments.PDF_MAX_PAGES), max_bytes=MAX)
    assert len(PdfReader(io.BytesIO(clean.data)).pages) == attachments.PDF_MAX_PAGES
    message = attachments.PDF_TOO_MANY_PAGES % {"limit": attachments.PDF_MAX_PAGES}
    assert refusal(long_pdf(attachments.PDF_MAX_PAGES + 1)) == message


def test_a_pdf_larger_than_the_limit_once_rewritten_is_refused():
    pdf = simple_pdf()
    size = len(attachments.rewrite_pdf(pdf, max_bytes=MAX))
    assert len(attachments.rewrite_pdf(pdf, max_bytes=size)) == size
    with pytest.raises(AttachmentError) as caught:
        attachments.rewrite_pdf(pdf, max_bytes=size - 1)
    assert str(caught.value).startswith("Berkas terlalu besar: paling besar")


def test_pypdf_is_not_imported_by_the_web_app_until_a_pdf_arrives():
    script = """
import sys
from tests.conftest import make_app
make_app()
import app.uploads, complaints.forms, complaints.staff_forms
print("pypdf" in sys.modules)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_reportlab_pdf_with_a_picture_passes():
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Surat keterangan")
    page.drawImage(ImageReader(Image.effect_noise((400, 300), 60).convert("RGB")), 72, 300)
    page.save()
    assert clean_upload(out.getvalue(), max_bytes=MAX).mimetype == "application/pdf"


PACKED_SCRIPT = zlib.compress(b"6 0 << /S /JavaScript /JS (app.alert(1)) >>")


@pytest.mark.parametrize(
    "pdf",
    [
        pytest.param(simple_pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> "), id="javascript"),
        pytest.param(simple_pdf(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> "), id="escaped-names"),
        pytest.param(simple_pdf(b"/OpenAction << /S /Launch /F (cmd.exe) >> "), id="launch"),
        pytest.param(simple_pdf(b"/Names << /EmbeddedFiles << /Names [(a.exe) 9 0 R] >> >> "), id="embedded-file"),
        pytest.param(simple_pdf(b"/AA << /O << /S /JavaScript >> >> "), id="additional-actions"),
        pytest.param(simple_pdf(trailer=b"/Encrypt 9 0 R "), id="encrypted"),
        pytest.param(
            simple_pdf(
                body_objects=b"7 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n"
                % len(PACKED_SCRIPT)
                + PACKED_SCRIPT
                + b"\nendstream\nendobj\n"
            ),
            id="script-in-object-stream",
        ),
    ],
)
def test_a_pdf_with_scripts_actions_attached_files_or_encryption_is_refused(pdf):
    assert refusal(pdf) == str(attachments.PDF_UNSAFE)


def test_a_pdf_with_something_appended_or_an_html_head_is_refused():
    zip_tail = b"PK\x03\x04" + b"x" * 40 + b"PK\x05\x06" + b"\0" * 18
    assert refusal(simple_pdf() + zip_tail) == attachments.PDF_TRAILING
    html_head = simple_pdf().replace(b"%\xe2\xe3\xcf\xd3\n", b"%<html><script>alert(1)</script>\n", 1)
    assert refusal(html_head) == attachments.PDF_TRAILING


def test_a_pdf_without_its_end_is_refused():
    pdf = simple_pdf()
    assert refusal(pdf[: pdf.rindex(b"%%EOF")]) == attachments.PDF_DAMAGED
    assert refusal(b"%PDF-1.4\n%%EOF\n") == attachments.PDF_DAMAGED
