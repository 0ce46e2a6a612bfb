"""Hypothesis throws arbitrary files at the questionnaire reader behind the paper import and the calculator
(issue 11): every file is read or refused with a located message, never an exception of another kind."""

import io
import os
import zipfile

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.errors import DomainError
from survey.sheets import read_answer_sheet

EXAMPLES = int(os.environ.get("UPLOAD_FUZZ_EXAMPLES", 800))  # make bench raises it
# The same examples on every test run (CI stays reproducible); make bench explores new ones (FUZZ_RANDOM=1).
DERANDOMIZE = os.environ.get("FUZZ_RANDOM") != "1"

cell = st.one_of(
    st.sampled_from(["", "1", "4", "4,00", "5", "²", "\x00", "Sangat sesuai", '"', '"a\nb"', "=SUM(A1:A9)"]),
    st.text(max_size=30),
)
header = st.one_of(
    st.lists(st.sampled_from(["U1", "u2", "U03", "U4. Prosedur", "saran", "usia", "Jumlah", "x"]), max_size=12),
    st.just([f"U{n}" for n in range(1, 10)] + ["saran"]),  # a complete header, so rows get read too
)
csv_text = st.builds(
    lambda head, rows, sep: "\n".join(sep.join(r) for r in [head, *rows]),
    header,
    st.lists(st.lists(cell, max_size=12), max_size=30),
    st.sampled_from([",", ";", "\t"]),
)
encoded = st.builds(
    lambda text, enc: text.encode(enc, errors="replace"), csv_text, st.sampled_from(["utf-8", "utf-16", "cp1252"])
)


def _zip_of(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


xlsx_like = st.builds(
    _zip_of, st.dictionaries(st.sampled_from(["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"]),
                             st.binary(max_size=300), max_size=3),
)  # fmt: skip
upload = st.one_of(
    st.tuples(st.just("isian.csv"), st.one_of(encoded, st.binary(max_size=3000))),
    st.tuples(st.just("isian.xlsx"), st.one_of(xlsx_like, st.binary(max_size=3000))),
    st.tuples(st.sampled_from(["isian.txt", "isian.pdf", "isian"]), st.binary(max_size=300)),
)


@settings(
    max_examples=EXAMPLES,
    derandomize=DERANDOMIZE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(upload)
def test_any_file_is_read_or_refused_with_a_message(app, file):
    name, content = file
    try:
        sheet = read_answer_sheet(name, content)
    except DomainError as exc:
        assert exc.messages and all(str(m) for m in exc.messages)
        event("refused with a message")
        return
    assert sheet.rows  # read: at least one respondent row, each with its own problems listed
    event("read")
