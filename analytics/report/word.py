"""The SKM report as a Word document (python-docx), rendered from the very story the PDF is built from.

One source of structure: the chapters build reportlab flowables once; `skm_report_pdf` lays them out on PDF pages,
and this module walks the same list and writes each one to Word: a heading or paragraph (with its bold, italic and
underlined runs and its bullet), a table (header rows bold, plain strings and paragraphs in the cells), a picture
(the PNG kept on the flowable, so the charts and the logo are the same images), a page break, and the contents as
a Word field (Word fills in the page numbers when the fields are updated). Spacers, page-template switches and the
PDF's borders have no Word counterpart and are left out. python-docx is imported inside the functions.
"""

import io

POINT_EMU = 12700  # EMUs per point
HEADING_LEVELS = {"title": 0, "bab": 1, "h2": 2, "h3": 3}
ALIGNMENTS = {0: "LEFT", 1: "CENTER", 2: "RIGHT", 4: "JUSTIFY"}  # reportlab TA_* values
CONTENTS_HINT = "Daftar isi: klik kanan lalu pilih Perbarui Bidang (Update Field) untuk menampilkan nomor halaman."


def story_docx(story: list, *, title: str, footer: str, author: str) -> bytes:
    """Write the flowables of a report story into a .docx and return its bytes."""
    import docx
    from docx.shared import Cm

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2.0)
    document.core_properties.title = title[:255]
    document.core_properties.author = author[:255]
    _footer(section, footer)
    for flowable in story:
        _flowable(document, flowable)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _flowable(container, flowable) -> None:
    """Write one flowable into a document or a table cell (anything with add_paragraph)."""
    from reportlab.platypus import Image, KeepTogether, PageBreak, Paragraph, Table
    from reportlab.platypus.tableofcontents import TableOfContents

    if isinstance(flowable, TableOfContents):
        _contents_field(container)
    elif isinstance(flowable, Paragraph):
        _paragraph(container, flowable)
    elif isinstance(flowable, Table):
        _table(container, flowable)
    elif isinstance(flowable, Image) and getattr(flowable, "_skm_png", None):
        _image(container, flowable)
    elif isinstance(flowable, KeepTogether):
        for inner in flowable._content:
            _flowable(container, inner)
    elif isinstance(flowable, PageBreak) and hasattr(container, "add_page_break"):
        container.add_page_break()


def _paragraph(container, para) -> None:
    """A heading (by the style's name) or a paragraph with its runs, alignment and bullet."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    style = para.style.name
    level = HEADING_LEVELS.get(style)
    if level is not None and hasattr(container, "add_heading"):
        heading = container.add_paragraph(style=_style(container, "Title" if level == 0 else f"Heading {level}"))
        if style in ("title", "bab"):
            heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _runs(heading, para.frags, bold=False, italic=False)
        return
    out = container.add_paragraph()
    alignment = ALIGNMENTS.get(para.style.alignment)
    if alignment:
        out.alignment = getattr(WD_ALIGN_PARAGRAPH, alignment)
    if para.bulletText:
        out.paragraph_format.left_indent = POINT_EMU * 16
        out.add_run(f"{para.bulletText}\t")
    _runs(out, para.frags, bold=style in ("frozen", "cover", "cellb"), italic=style in ("note", "caption"))


def _style(container, name: str):
    """A style by name, looked up once per document (python-docx searches the styles part on every lookup)."""
    part = container.part
    cache = part.__dict__.setdefault("_skm_styles", {})
    if name not in cache:
        cache[name] = part.document.styles[name]
    return cache[name]


def _runs(out, frags, *, bold: bool, italic: bool) -> None:
    """The paragraph's text fragments as runs: bold, italic and underline from their fonts and markup."""
    for frag in frags:
        if getattr(frag, "lineBreak", False):
            out.add_run().add_break()
            continue
        text = getattr(frag, "text", "")
        if not text:
            continue
        font = getattr(frag, "fontName", "")
        run = out.add_run(text)
        run.bold = bold or "Bold" in font or None
        run.italic = italic or "Italic" in font or "Oblique" in font or None
        run.underline = bool(getattr(frag, "underline", False) or getattr(frag, "us_lines", None)) or None


def _table(container, table) -> None:
    """A table of the same rows and columns; header rows bold; a layout grid (`_skm_layout`) without borders."""
    rows = table._cellvalues
    if not rows:
        return
    columns = max(len(row) for row in rows)
    header = getattr(table, "repeatRows", 0) or 0
    header = header if isinstance(header, int) else len(header)
    plain = all(isinstance(value, str | int | float) for row in rows[header:] for value in row)
    out = container.add_table(rows=header if plain else len(rows), cols=columns)
    if not getattr(table, "_skm_layout", False):
        out.style = _style(container, "Table Grid")
    bold = [r < header or _bold_row(table, r) for r in range(len(rows))]
    for r, (row, cells) in enumerate(zip(rows, out.rows, strict=False)):
        for value, cell in zip(row, cells.cells, strict=False):
            _cell(cell, value, bold=bold[r])
    if plain:
        _plain_rows(out, rows[header:], columns, bold[header:])


def _bold_row(table, row: int) -> bool:
    """Whether the table's style sets the row in a bold font (a total row)."""
    styles = getattr(table, "_cellStyles", None) or []
    return row < len(styles) and bool(styles[row]) and "Bold" in str(getattr(styles[row][0], "fontname", ""))


def _plain_rows(out, rows: list, columns: int, bold: list[bool]) -> None:
    """Rows of plain text appended as XML in one go: python-docx's cell API takes seconds for a 5,000-row sheet."""
    from xml.sax.saxutils import escape

    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    def cell(value, strong: bool) -> str:
        text = escape(str(value))
        font = "<w:rPr><w:b/></w:rPr>" if strong else ""
        run = f'<w:r>{font}<w:t xml:space="preserve">{text}</w:t></w:r>' if text else ""
        return f"<w:tc><w:p>{run}</w:p></w:tc>"

    body = "".join(
        "<w:tr>" + "".join(cell(v, strong) for v in row) + cell("", False) * (columns - len(row)) + "</w:tr>"
        for row, strong in zip(rows, bold, strict=True)
    )
    for row in parse_xml(f"<w:tbl {nsdecls('w')}>{body}</w:tbl>"):
        out._tbl.append(row)


def _cell(cell, value, *, bold: bool) -> None:
    """One cell's content: a plain string, a paragraph, a list of flowables or a nested table."""
    first = cell.paragraphs[0]
    if isinstance(value, str | int | float):
        text = str(value)
        if text:
            run = first.add_run(text)
            run.bold = bold or None
        return
    values = value if isinstance(value, list | tuple) else [value]
    for item in values:
        _flowable(cell, item)
    if len(cell.paragraphs) > 1 and not first.text:
        first._element.getparent().remove(first._element)  # the empty paragraph every new cell starts with
    if bold:
        for para in cell.paragraphs:
            for run in para.runs:
                run.bold = True


def _image(container, image) -> None:
    """The flowable's PNG at the flowable's width, centred."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Emu

    para = container.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.add_run().add_picture(io.BytesIO(image._skm_png), width=Emu(int(image.drawWidth * POINT_EMU)))


def _contents_field(container) -> None:
    """A Word table-of-contents field over heading levels 1-2, with a line saying how to fill it in."""
    paragraph = container.add_paragraph()
    _field(paragraph, 'TOC \\o "1-2" \\h \\z \\u', CONTENTS_HINT)


def _footer(section, text: str) -> None:
    """The footer: the report's unit and period, then the page number."""
    paragraph = section.footer.paragraphs[0]
    paragraph.add_run(f"{text} · Halaman ")
    _field(paragraph, "PAGE", "1")


def _field(paragraph, instruction: str, placeholder: str) -> None:
    """A complex field (begin, instruction, separate, shown text, end) in a paragraph."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str):
        run = paragraph.add_run()
        mark = OxmlElement("w:fldChar")
        mark.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            mark.set(qn("w:dirty"), "true")  # Word offers to update the field when the file is opened
        run._r.append(mark)

    char("begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = instruction
    paragraph.add_run()._r.append(code)
    char("separate")
    paragraph.add_run(placeholder)
    char("end")
