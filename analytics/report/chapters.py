"""The SKM report's cover and its narrative chapters: BAB I (introduction), BAB II (data collection), BAB V.

Each builder takes the report context and returns a list of flowables; the
figures chapters BAB III-IV are in `analytics.report.results`. reportlab is
imported inside the functions.
"""

from analytics.dashboard import fmt_date
from analytics.report.figures import _logo, _place_and_date
from analytics.report.layout import (
    CHANNEL_LABELS,
    TITLE,
    _boxed,
    _Ctx,
    _heading,
    _para,
    _style_like,
    _table,
    esc,
    fmt_dec,
    fmt_int,
    fmt_pct,
    plain,
)

# ---------------------------------------------------------------------------------------------------------------
# Cover


def _cover(ctx: _Ctx) -> list:
    """The cover: title, period, unit, the headline figures and the status notes."""
    from reportlab.lib.units import cm
    from reportlab.platypus import Spacer

    s, fig = ctx.styles, ctx.figures
    period = ctx.period
    logo = _logo(ctx)
    story = [
        *(logo or [Spacer(1, 2.2 * cm)]),
        _heading(TITLE + (" (PILIHAN TERFILTER)" if ctx.dashboard.filtered else ""), s["title"], ("Sampul", 0)),
        _para(f"Periode {esc(period.label)}", s["cover"]),
        _para(f"{fmt_date(period.start)} s.d. {fmt_date(period.last_day)}", s["coversub"]),
        Spacer(1, 1.6 * cm),
        _para("UNIT PELAYANAN", s["coversub"]),
        _para(esc(ctx.unit.upper()), s["cover"]),
        Spacer(1, 1.4 * cm),
    ]
    if fig.result.has_data:
        story.append(_cover_score(ctx))
    else:
        story.append(_para("Tidak ada data: belum ada kuesioner pada periode ini.", s["coversub"]))
    story.append(Spacer(1, 0.8 * cm))
    story += _cover_notes(ctx)
    story += [
        Spacer(1, 2.0 * cm),
        _para(
            "Disusun berdasarkan Peraturan Menteri PANRB Nomor 14 Tahun 2017 tentang Pedoman Penyusunan "
            "Survei Kepuasan Masyarakat Unit Penyelenggara Pelayanan Publik",
            s["coversub"],
        ),  # fmt: skip
        Spacer(1, 0.3 * cm),
        _para(f"Dicetak {fmt_date(ctx.dashboard.today)}", s["coversub"]),
    ]
    return story


def _cover_score(ctx: _Ctx):
    """The cover's boxed NIK and mutu, with the respondent count and the kinerja below them."""
    from reportlab.lib import colors
    from reportlab.lib.units import cm
    from reportlab.platypus import Table, TableStyle

    s, fig = ctx.styles, ctx.figures
    big = _style_like(s["title"], fontSize=30, leading=36, spaceAfter=2)
    cells = [
        [_para("Nilai IKM (NIK)", s["coversub"]), _para("Mutu pelayanan", s["coversub"])],
        [_para(fmt_dec(fig.result.nik, 2), big), _para(fig.result.mutu, big)],
        [_para(f"{fmt_int(fig.result.respondents)} responden", s["coversub"]),
         _para(esc(fig.result.kinerja), s["coversub"])],
    ]  # fmt: skip
    box = Table(cells, colWidths=[6 * cm, 6 * cm])
    box.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 1.0, colors.HexColor("#1f3b5a")),
        ("LINEAFTER", (0, 0), (0, -1), 0.6, colors.HexColor("#1f3b5a")),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f2f6fa")),
        ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))  # fmt: skip
    return box


def _cover_notes(ctx: _Ctx) -> list:
    """The boxed filter warning and status note on the cover, when there are any."""
    from reportlab.lib.units import cm
    from reportlab.platypus import Spacer

    s = ctx.styles
    story = []
    if ctx.dashboard.filtered:
        story.append(_boxed(_para("PILIHAN TERFILTER, BUKAN LAPORAN RESMI UNIT: " + esc(ctx.dashboard.filter_text),
                                  s["frozen"]), ctx.width))  # fmt: skip
    if ctx.frozen_note:
        story.append(Spacer(1, 0.3 * cm))
        story.append(_boxed(_para(esc(ctx.frozen_note), s["frozen"]), ctx.width))
    return story


# ---------------------------------------------------------------------------------------------------------------
# BAB I


def _bab1(ctx: _Ctx) -> list:
    """BAB I Pendahuluan: background, legal basis, aims."""
    s = ctx.styles
    unit = esc(ctx.unit)
    return [
        _heading("BAB I<br/>PENDAHULUAN", s["bab"], ("BAB I Pendahuluan", 0)),
        _heading("1.1 Latar Belakang", s["h2"], ("1.1 Latar Belakang", 1)),
        _para(
            "Pelayanan publik yang berkualitas adalah hak setiap warga negara. Undang-Undang Nomor 25 Tahun 2009 "
            "tentang Pelayanan Publik mewajibkan penyelenggara pelayanan publik untuk menilai kinerja pelayanannya "
            "secara berkala, dan salah satu ukurannya adalah kepuasan masyarakat sebagai pengguna layanan.",
            s["body"],
        ),
        _para(
            "Survei Kepuasan Masyarakat (SKM) adalah kegiatan pengukuran secara komprehensif tentang tingkat "
            "kepuasan masyarakat terhadap kualitas layanan yang diberikan oleh penyelenggara pelayanan publik. "
            f"{unit} melaksanakan SKM untuk periode {esc(ctx.period.label)} guna mengetahui kelemahan dan "
            "kelebihan setiap unsur pelayanan sebagai bahan perbaikan yang berkelanjutan.",
            s["body"],
        ),
        _heading("1.2 Dasar Pelaksanaan", s["h2"], ("1.2 Dasar Pelaksanaan", 1)),
        _para("Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik;", s["bullet"], bullet="1."),
        _para("Peraturan Pemerintah Nomor 96 Tahun 2012 tentang Pelaksanaan Undang-Undang Nomor 25 Tahun 2009 "
              "tentang Pelayanan Publik;", s["bullet"], bullet="2."),
        _para("Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 14 Tahun 2017 tentang "
              "Pedoman Penyusunan Survei Kepuasan Masyarakat Unit Penyelenggara Pelayanan Publik.", s["bullet"],
              bullet="3."),
        _para(
            "Pasal 1 ayat (1) Peraturan Menteri PANRB Nomor 14 Tahun 2017 menyatakan: <i>\"Penyelenggara pelayanan "
            "publik wajib melakukan Survei Kepuasan Masyarakat secara berkala minimal 1 (satu) kali setahun.\"</i>",
            s["body"],
        ),
        _heading("1.3 Maksud dan Tujuan", s["h2"], ("1.3 Maksud dan Tujuan", 1)),
        _para(
            "Maksud pelaksanaan SKM adalah mengukur tingkat kepuasan masyarakat terhadap pelayanan yang diberikan "
            f"oleh {unit}. Tujuannya:",
            s["body"],
        ),
        _para("mengetahui kelemahan atau kekuatan setiap unsur penyelenggaraan pelayanan publik;", s["bullet"],
              bullet="a."),
        _para("mengetahui kinerja penyelenggaraan pelayanan yang telah dilaksanakan secara periodik;", s["bullet"],
              bullet="b."),
        _para("menjadi bahan penetapan kebijakan dan upaya tindak lanjut perbaikan pelayanan;", s["bullet"],
              bullet="c."),
        _para("mengetahui Indeks Kepuasan Masyarakat (IKM) secara menyeluruh terhadap hasil pelaksanaan pelayanan.",
              s["bullet"], bullet="d."),
    ]  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# BAB II


def _bab2(ctx: _Ctx) -> list:
    """BAB II Pengumpulan Data SKM: who, how (with the channel counts), where, when, how many."""
    s = ctx.styles
    unit = esc(ctx.unit)
    story = [
        _heading("BAB II<br/>PENGUMPULAN DATA SKM", s["bab"], ("BAB II Pengumpulan Data", 0)),
        _heading("2.1 Pelaksana SKM", s["h2"], ("2.1 Pelaksana SKM", 1)),
        _para(
            f"SKM dilaksanakan secara mandiri (swakelola) oleh tim SKM {unit}. Pengolahan data dilakukan dengan "
            "aplikasi SKM yang menghitung indeks sesuai Peraturan Menteri PANRB Nomor 14 Tahun 2017.",
            s["body"],
        ),
        _heading("2.2 Metode Pengumpulan Data", s["h2"], ("2.2 Metode Pengumpulan Data", 1)),
        _para(
            "Data dikumpulkan dengan kuesioner yang memuat 9 (sembilan) unsur pelayanan sesuai Peraturan Menteri "
            "PANRB Nomor 14 Tahun 2017, masing-masing dengan skala penilaian 1 sampai 4 (Lampiran A). Responden "
            "mengisi kuesioner secara elektronik dengan memindai kode QR atau membuka tautan di loket, melalui "
            "kios (tablet) di loket, atau pada kuesioner kertas yang kemudian dimasukkan oleh petugas.",
            s["body"],
        ),
    ]
    story += _channels(ctx)
    story += _place_and_time(ctx)
    story += [
        _heading("2.5 Penentuan Jumlah Responden", s["h2"], ("2.5 Penentuan Jumlah Responden", 1)),
        _para(
            "Jumlah sampel minimum ditentukan dengan tabel Krejcie dan Morgan sebagaimana tercantum dalam "
            "Lampiran Peraturan Menteri PANRB Nomor 14 Tahun 2017: S = λ²·N·P·Q / (d²·(N−1) + λ²·P·Q), dengan "
            "λ² = 3,841, P = Q = 0,5 dan d = 0,05. N adalah populasi penerima layanan pada periode survei; untuk "
            "populasi di antara dua baris tabel dipakai baris berikutnya yang lebih besar (tabel lengkap pada "
            "Lampiran C).",
            s["body"],
        ),
        _sample_statement(ctx),
    ]
    return story


def _channels(ctx: _Ctx) -> list:
    """The questionnaires per channel, and how many were assisted or flagged."""
    from reportlab.lib.units import cm

    s, d = ctx.styles, ctx.dashboard
    channels = dict(d.channels)
    total = sum(channels.values())
    rows = [["Kanal pengisian", "Jumlah", "%"]]
    for key, label in CHANNEL_LABELS.items():
        rows.append([label, fmt_int(channels.get(key, 0)), fmt_pct(channels.get(key, 0), total)])
    for key in sorted(set(channels) - set(CHANNEL_LABELS)):
        rows.append([plain(key), fmt_int(channels[key]), fmt_pct(channels[key], total)])
    rows.append(["Jumlah", fmt_int(total), fmt_pct(total, total)])
    flags = d.flags
    return [
        _table(rows, [10.5 * cm, 2.5 * cm, 2.5 * cm], right=(1, 2), bold_rows=(len(rows) - 1,)),
        _para(
            f"Dari {fmt_int(flags.total)} kuesioner, {fmt_int(flags.assisted)} diisi dengan bantuan petugas dan "
            f"{fmt_int(flags.flagged)} ditandai oleh pemeriksaan pengisian berulang (misalnya perangkat yang sama "
            "mengisi lagi). Kuesioner yang ditandai tetap dihitung; tanda tersebut menjadi bahan pemeriksaan.",
            s["note"],
        ),
    ]


def _place_and_time(ctx: _Ctx) -> list:
    """Sections 2.3 (the counters where data was collected) and 2.4 (the period's dates)."""
    s = ctx.styles
    counters = [g.name for g in ctx.dashboard.by_counter if g.key is not None]
    where = ", ".join(esc(n) for n in counters) if counters else "loket-loket pelayanan"
    return [
        _heading("2.3 Lokasi Pengumpulan Data", s["h2"], ("2.3 Lokasi Pengumpulan Data", 1)),
        _para(f"Pengumpulan data dilakukan di lokasi pelayanan {esc(ctx.unit)}, yaitu: {where}.", s["body"]),
        _heading("2.4 Waktu Pelaksanaan SKM", s["h2"], ("2.4 Waktu Pelaksanaan SKM", 1)),
        _para(
            f"SKM periode {esc(ctx.period.label)} dilaksanakan pada tanggal {fmt_date(ctx.period.start)} sampai "
            f"dengan {fmt_date(ctx.period.last_day)}.",
            s["body"],
        ),
    ]


def _sample_statement(ctx: _Ctx):
    """Whether the respondents collected meet the Krejcie-Morgan minimum (or that the population is missing)."""
    s, fig = ctx.styles, ctx.figures
    sample = fig.sample
    if sample is None:
        return _para(
            f"Populasi penerima layanan untuk periode ini belum diisi (populasi belum diisi), sehingga "
            f"kecukupan jumlah responden belum dapat dinilai. Jumlah kuesioner yang terkumpul: "
            f"<b>{fmt_int(fig.result.respondents)}</b>.",
            s["body"],
        )
    verdict = f"<b>{sample.label}</b>"
    if not sample.meets:
        verdict += f" (kurang {fmt_int(sample.shortfall)} responden)"
    return _para(
        f"Populasi penerima layanan pada periode ini sebanyak {fmt_int(sample.population)} orang, sehingga "
        f"jumlah sampel minimum menurut tabel Krejcie dan Morgan adalah <b>{fmt_int(sample.required)}</b> "
        f"responden. Jumlah kuesioner yang terkumpul sebanyak <b>{fmt_int(sample.collected)}</b>. Dengan "
        f"demikian jumlah responden {verdict} sampel minimum.",
        s["body"],
    )


# ---------------------------------------------------------------------------------------------------------------
# BAB V


def _bab5(ctx: _Ctx) -> list:
    """BAB V Penutup: the conclusion, the priorities, the sample caveat and the signature block."""
    s, fig = ctx.styles, ctx.figures
    result = fig.result
    unit, label = esc(ctx.unit), esc(ctx.period.label)
    story = [_heading("BAB V<br/>PENUTUP", s["bab"], ("BAB V Penutup", 0))]
    if result.has_data:
        story.append(
            _para(
                f"Berdasarkan hasil Survei Kepuasan Masyarakat periode {label}, Indeks Kepuasan Masyarakat "
                f"{unit} adalah <b>{fmt_dec(result.nik, 2)}</b> dengan mutu pelayanan <b>{result.mutu}</b> "
                f"(kinerja unit pelayanan <b>{result.kinerja}</b>), dari {fmt_int(result.respondents)} responden.",
                s["body"],
            )
        )
        weakest = result.weakest(3)
        if weakest:
            names = ", ".join(f"{e.code} {esc(e.name)}" for e in weakest)
            story.append(
                _para(
                    f"Unsur yang menjadi prioritas perbaikan adalah {names}. Rencana tindak lanjutnya disepakati "
                    "dalam Forum Konsultasi Publik, dilaksanakan, dan hasilnya dipublikasikan kepada masyarakat.",
                    s["body"],
                )
            )
    else:
        story.append(
            _para(f"Pada periode {label} belum ada kuesioner yang terkumpul, sehingga IKM tidak dihitung.", s["body"])
        )
    if fig.sample is not None and not fig.sample.meets:
        story.append(
            _para(
                f"Jumlah responden belum memenuhi sampel minimum ({fmt_int(fig.sample.collected)} dari "
                f"{fmt_int(fig.sample.required)}); hasil ini perlu dibaca dengan hati-hati dan pengumpulan data "
                "pada periode berikutnya perlu ditingkatkan.",
                s["body"],
            )
        )
    story += [_para(esc(line), s["body"]) for line in ctx.texts.closing.split("\n") if line.strip()]
    if ctx.frozen_note:
        story.append(_para(esc(ctx.frozen_note), s["note"]))
    return story + _signature(ctx)


def _signature(ctx: _Ctx) -> list:
    """Place and date, the head's position, name (a dotted line when none is set) and NIP, on the right.

    The name given to the command (`--office-head`) wins over the unit's settings.
    """
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether, Spacer, Table

    s, settings = ctx.styles, ctx.settings
    name = ctx.office_head.strip() or settings.head_name.strip()
    head = f"<b><u>{esc(name)}</u></b>" if name else "(" + "." * 48 + ")"
    sign = [
        _para(esc(_place_and_date(ctx)), s["sign"]),
        _para(esc(settings.head_position.strip() or f"Kepala {ctx.unit}"), s["sign"]),
        Spacer(1, 2.2 * cm),
        _para(head, s["sign"]),
    ]
    if settings.head_nip and not ctx.office_head.strip():
        sign.append(_para(f"NIP {esc(settings.head_nip)}", s["sign"]))
    block = Table([["", sign]], colWidths=[ctx.width - 8.5 * cm, 8.5 * cm], hAlign="LEFT")
    block._skm_layout = True  # a layout grid, not a data table: drawn without borders in Word too
    return [Spacer(1, 1.2 * cm), KeepTogether([block])]
