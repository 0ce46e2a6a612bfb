"""The Zona Integritas evidence pack (data dukung) of a unit for a year: one ZIP with a verifiable manifest.

`build_pack` gathers every file (SKM reports, workbooks and posters per published period, the survey frequency,
the publication log, the follow-up plans with their evidence, the complaint register without personal data, the
complaint recap, channels and response times, the monitoring-and-evaluation records, the WBS recap), and
`pack.write_zip` adds a "belum tersedia" file for every LKE item nothing supports yet and writes the ZIP with its
manifest. Read-only over the database. Heavy libraries (reportlab, openpyxl, matplotlib) are imported only when a
pack is built.
"""

from typing import BinaryIO

from analytics.evidence.pack import Pack, write_zip
from app import clock
from app.directory import Unit


def build_pack(*, unit: Unit, year: int) -> Pack:
    """Every evidence file of `unit` for `year` (not yet completed with the "belum tersedia" files)."""
    from analytics import data
    from analytics.evidence import loop_files
    from analytics.evidence.complaint_files import add_complaint_files
    from analytics.evidence.survey_files import add_survey_files

    pack = Pack(unit_slug=unit.slug, unit_name=unit.name, year=year, generated_at=clock.now())
    published = data.unit_periods(unit.id)  # read once: the SKM files and the follow-up share both use them
    add_survey_files(pack, unit, published=published)
    loop_files.add_publication_log(pack, unit)
    loop_files.add_followup(pack, unit, published=published)
    add_complaint_files(pack, unit)
    loop_files.add_monitoring(pack, unit)
    loop_files.add_wbs_and_times(pack, unit)
    return pack


def write_pack(*, unit: Unit, year: int, out: BinaryIO) -> dict:
    """Build the pack and write it as a ZIP to `out`; return the manifest."""
    return write_zip(build_pack(unit=unit, year=year), out)
