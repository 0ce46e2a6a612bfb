"""Uploads: JPEG, PNG and PDF checked by their bytes; images decoded and re-encoded without metadata.

One cleaner for every file a person sends: complaint attachments, RTL evidence, notice-board photos, the logo.

The type is decided by the content alone, never by the file name or the Content-Type the browser sent. An image
is fully decoded and drawn again into a fresh picture (orientation applied, at most MAX_SIDE pixels a side), so
EXIF (GPS, camera serial), comments, ICC profiles and anything appended after the picture (a ZIP or HTML payload)
are gone. A PDF is first refused unless its bytes look like a plain document: a `%PDF-` header, `%%EOF` at the
end, no scripts, launch actions, embedded files, encryption or encodings we cannot read through. Then its pages
alone are copied into a new PDF (pypdf), so the author, creator, XMP metadata, annotations with their authors and
editing data are gone; what a reader sees on the pages stays.
"""

import base64
import binascii
import io
import re
import warnings
import zlib
from dataclasses import dataclass

from app.errors import DomainError
from app.i18n import N_

MAX_PIXELS = 40_000_000  # refused before decoding: a 40-megapixel photo is already far more than a complaint needs
MAX_SIDE = 2560  # larger photos are scaled down to this many pixels on their longest side
JPEG_QUALITY = 85
PDF_INFLATE_BUDGET = 64 * 1024 * 1024  # bytes of compressed PDF streams we unpack to look inside, at most
PDF_MAX_PAGES = 200  # a complaint's evidence, not a book; also bounds the work of rewriting the document

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PDF_MAGIC = b"%PDF-"

# Names a PDF may not contain: scripts, actions that start programs or forms, attached files, hidden layers of
# content we cannot inspect.
_PDF_FORBIDDEN = frozenset(
    {
        b"JS",
        b"JavaScript",
        b"Launch",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"RichMedia",
        b"XFA",
        b"AA",
        b"SubmitForm",
        b"ImportData",
        b"Encrypt",
        b"LZWDecode",
        b"LZW",
    }
)
_PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_HTML_MARKERS = re.compile(rb"<\s*(?:!doctype|html|head|body|script|iframe|svg|object|embed)\b", re.IGNORECASE)
_HEX_TEXT = re.compile(rb"[0-9A-Fa-f\s]*")
_STREAM = re.compile(rb"(?<!end)stream\r?\n")

EMPTY = N_("Berkas kosong.")
TOO_LARGE = N_("Berkas terlalu besar: paling besar %(limit)s MB.")
NOT_ALLOWED = N_(
    "Jenis berkas tidak diterima. Kirim foto JPEG atau PNG, atau dokumen PDF (jenis berkas dilihat dari isinya, "
    "bukan dari namanya)."
)
IMAGE_DAMAGED = N_("Gambar rusak atau tidak lengkap; tidak dapat dibuka.")
IMAGE_TOO_BIG = N_("Ukuran gambar terlalu besar (lebih dari %(megapixels)s megapiksel). Kirim foto yang lebih kecil.")
PDF_DAMAGED = N_("Dokumen PDF rusak atau tidak lengkap.")
PDF_UNSAFE = N_(
    "Dokumen PDF ini berisi skrip, tindakan otomatis, berkas sisipan, enkripsi, atau pengodean yang tidak dapat "
    "kami periksa, sehingga tidak dapat diterima. Cetak ulang sebagai PDF biasa atau kirim fotonya."
)
PDF_TRAILING = N_("Dokumen PDF ini berisi data tambahan di luar dokumen, sehingga tidak dapat diterima.")
PDF_TOO_COMPLEX = N_("Dokumen PDF ini terlalu besar untuk diperiksa. Kirim versi yang lebih kecil atau fotonya.")
PDF_TOO_MANY_PAGES = N_(
    "Dokumen PDF ini terlalu banyak halamannya: paling banyak %(limit)s halaman. Kirim halaman yang penting saja."
)


@dataclass(frozen=True)
class CleanFile:
    """An upload that passed the checks, ready to store: bytes as they will be served, and their type."""

    data: bytes
    mimetype: str  # image/jpeg, image/png or application/pdf
    extension: str  # jpg, png or pdf


class AttachmentError(DomainError):
    """An upload that is not an acceptable JPEG, PNG or PDF; nothing of it is kept."""


def sniff(data: bytes) -> str | None:
    """The type of a file by its first bytes: "jpeg", "png", "pdf" or None (anything else)."""
    if data.startswith(JPEG_MAGIC):
        return "jpeg"
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(PDF_MAGIC):
        return "pdf"
    return None


def clean_upload(data: bytes, *, max_bytes: int) -> CleanFile:
    """Check one uploaded file and return what may be stored, or raise AttachmentError with the reason."""
    if not data:
        raise AttachmentError(EMPTY)
    if len(data) > max_bytes:
        raise AttachmentError(TOO_LARGE, limit=_megabytes(max_bytes))
    kind = sniff(data)
    if kind == "pdf":
        check_pdf(data)
        return CleanFile(data=rewrite_pdf(data, max_bytes=max_bytes), mimetype="application/pdf", extension="pdf")
    if kind in ("jpeg", "png"):
        return clean_image(data, kind=kind, max_bytes=max_bytes)
    raise AttachmentError(NOT_ALLOWED)


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value.is_integer() else f"{value:.1f}"


# -- images -------------------------------------------------------------------------------------------------------


def clean_image(
    data: bytes, *, kind: str, max_bytes: int, max_side: int = MAX_SIDE, max_pixels: int = MAX_PIXELS, png: bool = False
) -> CleanFile:
    """Decode a JPEG or PNG completely and encode it again, upright, without any metadata, at most `max_side` pixels
    a side. A PNG stays a PNG unless it would exceed `max_bytes` (a photo: stored as a JPEG); `png` keeps every
    picture a PNG (a logo, with its transparency)."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            # Pillow warns about malformed metadata ("Tag data larger than file"); it is dropped below anyway.
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = _decode(data, kind, max_side=max_side, max_pixels=max_pixels)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise AttachmentError(IMAGE_TOO_BIG, megapixels=max_pixels // 1_000_000) from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError, Image.UnidentifiedImageError):
        raise AttachmentError(IMAGE_DAMAGED) from None
    if png:
        return CleanFile(data=_png(picture), mimetype="image/png", extension="png")
    return _encode(picture, kind=kind, max_bytes=max_bytes)


EXIF_ORIENTATION = 0x0112


def _decode(data: bytes, kind: str, *, max_side: int, max_pixels: int):
    """The picture, fully decoded, upright, at most `max_side` a side, in a mode we can write; no metadata kept."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data), formats=["JPEG" if kind == "jpeg" else "PNG"]) as source:
        width, height = source.size
        if width <= 0 or height <= 0:
            raise ValueError("empty image")
        if width * height > max_pixels:
            raise Image.DecompressionBombError("too many pixels")
        if kind == "jpeg" and max(width, height) > 2 * max_side:
            source.draft("RGB", (max_side, max_side))  # decode at a reduced scale: faster, same result
        source.load()  # the whole picture: a truncated or corrupt file fails here
        picture = source
        if source.getexif().get(EXIF_ORIENTATION, 1) != 1:  # turning copies the picture: only when needed
            picture = ImageOps.exif_transpose(source)
        mode = _target_mode(picture)
        if picture.mode != mode:
            picture = picture.convert(mode)
        picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        clean = Image.new(picture.mode, picture.size)  # a fresh picture: no EXIF, XMP, ICC, comment or text chunk
        clean.paste(picture)
    return clean


def _target_mode(picture) -> str:
    if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
        return "RGBA"
    if picture.mode in ("L", "1", "I", "I;16", "I;16B", "I;16L", "F"):
        return "L"
    return "RGB"


def _png(picture) -> bytes:
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _encode(picture, *, kind: str, max_bytes: int) -> CleanFile:
    if kind == "png":
        data = _png(picture)
        if len(data) <= max_bytes:
            return CleanFile(data=data, mimetype="image/png", extension="png")
        picture = _flatten(picture)  # a photo saved as PNG: store it as a JPEG rather than a huge PNG
    out = io.BytesIO()
    if picture.mode not in ("RGB", "L"):
        picture = _flatten(picture)
    picture.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanFile(data=out.getvalue(), mimetype="image/jpeg", extension="jpg")


def _flatten(picture):
    """The picture on a white background, without transparency (JPEG has none)."""
    from PIL import Image

    if picture.mode not in ("RGBA", "LA"):
        return picture.convert("RGB")
    background = Image.new("RGB", picture.size, (255, 255, 255))
    background.paste(picture, mask=picture.getchannel("A"))
    return background


# -- PDF ----------------------------------------------------------------------------------------------------------


def check_pdf(data: bytes) -> None:
    """Raise AttachmentError unless the bytes are a plain PDF document with nothing active or hidden in it."""
    if not re.match(rb"%PDF-\d\.\d", data):
        raise AttachmentError(PDF_DAMAGED)
    end = data.rfind(b"%%EOF")
    if end < 0 or b"startxref" not in data[max(0, end - 2048) : end]:
        raise AttachmentError(PDF_DAMAGED)
    if data[end + 5 :].strip(b" \t\r\n\x00"):
        raise AttachmentError(PDF_TRAILING)  # something appended after the document (a ZIP, an HTML page, ...)
    if _HTML_MARKERS.search(data[:1024]) or b"PK\x05\x06" in data[-66_000:]:
        raise AttachmentError(PDF_TRAILING)  # read as a web page or a ZIP archive by other programs
    budget = PDF_INFLATE_BUDGET
    position = 0
    for match in _STREAM.finditer(data):
        if match.start() < position:
            continue  # the word "stream" inside a stream already read
        if _forbidden(data[position : match.start()], strict=True):
            raise AttachmentError(PDF_UNSAFE)
        stop = data.find(b"endstream", match.end())
        stop = len(data) if stop < 0 else stop
        budget = _check_stream(data[match.end() : stop], budget)
        position = stop
    if _forbidden(data[position:], strict=True):
        raise AttachmentError(PDF_UNSAFE)


def _forbidden(chunk: bytes, *, strict: bool) -> bool:
    """Whether the bytes hold a forbidden PDF name, also spelled with #xx escapes (/J#61vaScript).

    In the document's own syntax (`strict`) any such name counts. Inside a stream (pictures, fonts, packed
    objects) it counts only after a dictionary opened (`<<`) shortly before, so that random bytes of a
    photo that happen to read "/JS" do not refuse the file, while a packed dictionary with a script does.
    """
    for match in _PDF_NAME.finditer(chunk):
        name = match.group(1)
        if b"#" in name:
            name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), name)
        if name in _PDF_FORBIDDEN and (strict or b"<<" in chunk[max(0, match.start() - 1024) : match.start()]):
            return True
    return False


def _ascii_decoded(content: bytes) -> bytes:
    """A stream in ASCII85 or hexadecimal text (as ReportLab writes pictures) as the bytes it spells."""
    text = content.rstrip()
    try:
        if text.endswith(b"~>"):
            return base64.a85decode(text[:-2], ignorechars=b" \t\r\n\x0c\x00")
        if text.endswith(b">") and _HEX_TEXT.fullmatch(text[:-1]):
            digits = re.sub(rb"\s", b"", text[:-1])
            return binascii.unhexlify(digits + b"0" * (len(digits) % 2))
    except ValueError:
        pass
    return content


def _check_stream(content: bytes, budget: int) -> int:
    """Look inside one stream, unpacked first when it is deflated (object streams hide dictionaries there);
    return how many unpacked bytes may still be read. Other encodings (JPEG pictures) are read as they are."""
    content = _ascii_decoded(content)
    inflater = zlib.decompressobj()
    try:
        chunk = inflater.decompress(content, 1024 * 1024)
    except zlib.error:
        if _forbidden(content, strict=False):
            raise AttachmentError(PDF_UNSAFE) from None
        return budget
    context = b""
    while True:
        budget -= len(chunk)
        if budget < 0:
            raise AttachmentError(PDF_TOO_COMPLEX)
        if _forbidden(context + chunk, strict=False):
            raise AttachmentError(PDF_UNSAFE)
        if inflater.eof or not inflater.unconsumed_tail:
            return budget
        context = (context + chunk)[-1100:]
        try:
            chunk = inflater.decompress(inflater.unconsumed_tail, 1024 * 1024)
        except zlib.error:
            return budget


# Left out of each page and of everything it refers to (pictures, forms, fonts): XMP metadata (author, creating
# program, file paths), application editing data, actions, annotations (comments carry their author in /T) and
# thumbnails. The rest of the document (catalog with its metadata, outlines, names, forms, /Info) is never copied.
_PDF_DROPPED = ("/Metadata", "/PieceInfo", "/AA", "/Annots", "/Thumb")


def rewrite_pdf(data: bytes, *, max_bytes: int) -> bytes:
    """The pages of a checked PDF copied into a new document without its metadata; AttachmentError if pypdf
    cannot read it, it is encrypted, has more than PDF_MAX_PAGES pages or comes out larger than max_bytes."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about flaws it repairs; those it cannot repair raise
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise AttachmentError(PDF_UNSAFE)
            if not reader.pages:
                raise AttachmentError(PDF_DAMAGED)
            if len(reader.pages) > PDF_MAX_PAGES:
                raise AttachmentError(PDF_TOO_MANY_PAGES, limit=PDF_MAX_PAGES)
            writer = PdfWriter()  # a new catalog: none of the source's /Info, /Metadata, /OpenAction, /Names, ...
            for page in reader.pages:
                page.pop(NameObject("/B"), None)  # article beads: their threads have an /Author of their own
                writer.add_page(page, excluded_keys=_PDF_DROPPED)
            writer.metadata = None  # no /Info at all, not even the /Producer pypdf would set
            writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
            out = io.BytesIO()
            writer.write(out)
    except AttachmentError:
        raise
    except MemoryError:
        raise AttachmentError(PDF_TOO_COMPLEX) from None
    except Exception:  # whatever breaks in the parser on these untrusted bytes, the file cannot be used
        raise AttachmentError(PDF_DAMAGED) from None
    if out.tell() > max_bytes:
        raise AttachmentError(TOO_LARGE, limit=_megabytes(max_bytes))
    return out.getvalue()
