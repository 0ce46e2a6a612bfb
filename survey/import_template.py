"""Templates for the paper import: an XLSX workbook ("Petunjuk" first, then the data sheet) and a CSV file.

Both carry the header the reader (`survey.sheets`) accepts and no respondent row, so a template filled in and
uploaded as it is imports exactly what the office typed.
"""

import csv
import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from app.directory import Unit
from survey.questionnaire import EDUCATIONS, ELEMENTS, GENDERS, OCCUPATIONS

PROFILE_HEADERS = ("tanggal", "jenis_kelamin", "usia", "pendidikan", "pekerjaan", "pekerjaan_lain", "layanan", "saran")
HEADER = ("No", *(e.code for e in ELEMENTS), *PROFILE_HEADERS)
DATA_SHEET = "Data"
DATA_ROWS = 2000  # rows that get the 1-4 check in the workbook


def template_csv() -> bytes:
    """The header row as UTF-8 CSV with a BOM (Excel opens it with the right characters)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(HEADER)
    return ("\ufeff" + out.getvalue()).encode()


def _instructions(unit: Unit) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [
        (_("Petunjuk pengisian kuesioner kertas: %(unit)s", unit=unit.name),),
        (),
        (
            _(
                "Isi lembar '%(sheet)s': satu baris per responden, mulai baris 2. Jangan ubah judul kolom.",
                sheet=DATA_SHEET,
            ),
        ),  # fmt: skip
        (_("Kolom U1-U9: nilai 1, 2, 3 atau 4; kosongkan bila pertanyaan tidak dijawab."),),
        (_("Kolom lain boleh kosong. tanggal: YYYY-MM-DD atau DD/MM/YYYY, dalam bulan impor (kosong: tanggal 1)."),),
        (
            _(
                "layanan: nama layanan (hanya dibaca bila opsi kolom layanan dipilih saat impor; kosong: layanan yang "
                "dipilih)."
            ),
        ),  # fmt: skip
        (_("Jangan menambahkan baris jumlah, NRR atau IKM: aplikasi menghitungnya sendiri."),),
        (),
        (_("Kode"), _("Unsur"), _("Pertanyaan"), "1", "2", "3", "4"),
        *((e.code, e.name, e.question, *e.options) for e in ELEMENTS),
        (),
        (_("Kolom"), _("Isian yang diterima")),
        ("jenis_kelamin", "; ".join(f"{key} = {_(label)}" for key, label in GENDERS)),
        ("usia", _("angka 10-120")),
        ("pendidikan", "; ".join(f"{key} = {_(label)}" for key, label in EDUCATIONS)),
        ("pekerjaan", "; ".join(f"{key} = {_(label)}" for key, label in OCCUPATIONS)),
        ("layanan", "; ".join(service.name for service in unit.services)),
    ]
    return rows


def template_xlsx(unit: Unit) -> bytes:
    """A workbook with the instructions ("Petunjuk") first and the data sheet the import reads."""
    workbook = Workbook()
    guide = workbook.active
    guide.title = "Petunjuk"
    for row in _instructions(unit):
        guide.append(row)
    guide["A1"].font = Font(bold=True, size=13)
    guide.column_dimensions["A"].width = 16
    guide.column_dimensions["B"].width = 34
    guide.column_dimensions["C"].width = 60
    sheet = workbook.create_sheet(DATA_SHEET)
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    scores = DataValidation(type="whole", operator="between", formula1="1", formula2="4", allow_blank=True,
                            error=_("Nilai harus 1, 2, 3 atau 4."), showErrorMessage=True)  # fmt: skip
    scores.add(f"B2:{sheet.cell(row=1, column=len(ELEMENTS) + 1).column_letter}{DATA_ROWS + 1}")
    sheet.add_data_validation(scores)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
