"""The SKM report's figures chapters: BAB III (results of the data processing) and BAB IV (analysis).

BAB III holds the respondent profile, the per-element IKM table with its
summary and the conversion scale, and the IKM per service; BAB IV the weakest
and strongest elements, the follow-up plan table and the monthly trend.
reportlab is imported inside the functions.
"""

from analytics.dashboard import fmt_date
from analytics.ikm import IkmResult
from analytics.report.figures import _element_chart, _trend_chart
from analytics.report.layout import (
    PROFILE_TITLES,
    _boxed,
    _Ctx,
    _heading,
    _para,
    _table,
    esc,
    fmt_dec,
    fmt_int,
    fmt_pct,
    ordered_profile,
    profile_label,
    weight_text,
)

# ---------------------------------------------------------------------------------------------------------------
# BAB III


def _bab3(ctx: _Ctx) -> list:
    """BAB III Hasil Pengolahan Data SKM: status note, 3.1 respondents, 3.2 IKM, IKM per service."""
    from reportlab.platypus import Spacer

    s = ctx.styles
    story = [_heading("BAB III<br/>HASIL PENGOLAHAN DATA SKM", s["bab"], ("BAB III Hasil Pengolahan Data", 0))]
    if ctx.frozen_note or ctx.dashboard.late_note:
        story.append(_status_box(ctx))
        story.append(Spacer(1, 8))
    story += _respondents(ctx)
    story += _ikm(ctx)
    story += _services(ctx)
    return story


def _status_box(ctx: _Ctx):
    """The boxed status note, with what a frozen period's figures cover and the late questionnaires."""
    d, fig = ctx.dashboard, ctx.figures
    lines = [esc(ctx.frozen_note)] if ctx.frozen_note else []
    if fig.frozen:
        lines.append(
            "Seluruh angka laporan ini (profil responden, kanal, tren dan lembar perhitungan termasuk) dihitung "
            "dari responden yang tercakup saat publikasi."
        )
    if d.late_note:
        lines.append(esc(d.late_note))
    return _boxed(_para("<br/>".join(lines), ctx.styles["frozen"]), ctx.width)


def _respondents(ctx: _Ctx) -> list:
    """Section 3.1: the number of respondents and their profile."""
    s = ctx.styles
    return [
        _heading("3.1 Jumlah Responden SKM", s["h2"], ("3.1 Jumlah Responden", 1)),
        _para(
            f"Jumlah responden pada periode {esc(ctx.period.label)} adalah "
            f"<b>{fmt_int(ctx.figures.result.respondents)}</b> orang, dengan karakteristik sebagai berikut.",
            s["body"],
        ),
        _profile_table(ctx),
    ]


def _profile_table(ctx: _Ctx):
    """Respondents per profile group and category, a rule above each group."""
    from reportlab.lib import colors
    from reportlab.lib.units import cm

    s, d = ctx.styles, ctx.dashboard
    total = d.result.respondents
    rows = [["Karakteristik", "Kategori", "Jumlah", "%"]]
    group_rows = []
    for group, title in PROFILE_TITLES.items():
        entries = ordered_profile(group, d.profile.get(group, []))
        if not entries:
            continue
        group_rows.append(len(rows))
        for i, (label, count) in enumerate(entries):
            rows.append([
                _para(f"<b>{title}</b>", s["cell"]) if i == 0 else "",
                _para(esc(profile_label(group, str(label))), s["cell"]),
                fmt_int(count),
                fmt_pct(count, total),
            ])  # fmt: skip
    if len(rows) == 1:
        rows.append(["-", "Tidak ada data", "0", "-"])
    table = _table(rows, [3.4 * cm, 8.4 * cm, 2.2 * cm, 2.2 * cm], right=(2, 3))
    table.setStyle([("LINEABOVE", (0, r), (-1, r), 1.0, colors.HexColor("#333333")) for r in group_rows[1:]])
    return table


def _ikm(ctx: _Ctx) -> list:
    """Section 3.2: the method, the per-element table, the summary and the conversion scale."""
    from reportlab.platypus import KeepTogether, Spacer

    s, fig = ctx.styles, ctx.figures
    result = fig.result
    story = _ikm_method(ctx, result)
    story += [KeepTogether([_element_table(ctx, result)]), Spacer(1, 8), *_element_chart(ctx),
              KeepTogether([_summary_table(ctx, result)])]  # fmt: skip
    if fig.frozen:
        story.append(_para("Angka pada tabel 3.2 adalah angka yang dibekukan saat publikasi.", s["note"]))
    if not result.has_data:
        story.append(_para("Tidak ada data pada periode ini: IKM tidak dihitung (bukan nol).", s["note"]))
    story.append(Spacer(1, 8))
    story.append(_para("Nilai persepsi, interval, interval konversi, mutu dan kinerja unit pelayanan:", s["small"]))
    story.append(_scale_table())
    return story


def _ikm_method(ctx: _Ctx, result: IkmResult) -> list:
    """The heading of 3.2, how NRR, IKM, NIK and mutu are computed, and the elements without answers."""
    s = ctx.styles
    story = [
        _heading("3.2 Indeks Kepuasan Masyarakat (IKM)", s["h2"], ("3.2 Indeks Kepuasan Masyarakat", 1)),
        _para(
            "Nilai rata-rata (NRR) per unsur = jumlah nilai per unsur dibagi jumlah kuesioner yang mengisi unsur "
            "tersebut; jawaban yang kosong tidak dihitung (bukan nol). Setiap unsur memiliki penimbang yang sama: "
            f"bobot tepat {weight_text(result)} (bukan 0,11 atau 0,111), sehingga "
            "IKM (nilai interval 1-4) = jumlah NRR tertimbang. Nilai interval konversi (NIK) = IKM × 25, "
            "dihitung tanpa pembulatan antara lalu dibulatkan setengah ke atas menjadi 2 desimal. Mutu pelayanan "
            "ditetapkan dari NIK yang telah dibulatkan: ≥ 88,31 A (Sangat Baik); ≥ 76,61 B (Baik); ≥ 65,00 C "
            "(Kurang Baik); di bawahnya D (Tidak Baik).",
            s["body"],
        ),
    ]
    if result.has_data and result.missing_elements:
        k = len(result.elements) - len(result.missing_elements)
        story.append(
            _para(
                f"Catatan: unsur {', '.join(result.missing_elements)} tidak memiliki jawaban pada periode ini; "
                f"IKM dihitung dari {k} unsur yang terisi dengan bobot 1/{k}.",
                s["note"],
            )
        )
    return story


def _element_table(ctx: _Ctx, result: IkmResult):
    """Per element: answered, total, NRR, weighted NRR, NRR × 25 and mutu; the IKM in the last row."""
    from reportlab.lib.units import cm

    s = ctx.styles
    rows = [["Kode", "Unsur pelayanan", "Terisi", "Jumlah nilai", "NRR", "NRR tertimbang", "NRR × 25", "Mutu"]]
    for e in result.elements:
        rows.append([
            e.code, _para(esc(e.name), s["cell"]), fmt_int(e.answered), fmt_int(e.total), fmt_dec(e.nrr, 3),
            fmt_dec(e.nrr_weighted, 3), fmt_dec(e.nik, 2), e.mutu or "-",
        ])  # fmt: skip
    rows.append([
        "", _para("<b>Jumlah NRR tertimbang = IKM</b>", s["cell"]), "", "", "",
        fmt_dec(result.ikm, 4), fmt_dec(result.nik, 2), result.mutu or "-",
    ])  # fmt: skip
    widths = [1.1 * cm, 5.3 * cm, 1.4 * cm, 1.7 * cm, 1.4 * cm, 2.4 * cm, 1.7 * cm, 1.1 * cm]
    return _table(rows, widths, right=(2, 3, 4, 5, 6), center=(0, 7), bold_rows=(len(rows) - 1,))


def _summary_table(ctx: _Ctx, result: IkmResult):
    """The headline: respondents, IKM, NIK (bold), mutu (bold) and kinerja."""
    from reportlab.lib.units import cm

    summary = [
        ["Jumlah responden", fmt_int(result.respondents)],
        [f"IKM (nilai interval 1-4, Σ NRR × {weight_text(result)})", fmt_dec(result.ikm, 4)],
        ["NIK (IKM × 25, dibulatkan setengah ke atas)", fmt_dec(result.nik, 2)],
        ["Mutu pelayanan", result.mutu or "-"],
        ["Kinerja unit pelayanan", result.kinerja or "-"],
    ]
    table = _table(summary, [10.5 * cm, 5.5 * cm], header_rows=0, right=(1,), font_size=9.5, padding=4)
    table.setStyle([("FONTNAME", (1, 2), (1, 3), ctx.styles["fonts"][1])])
    return table


def _scale_table():
    """The perception values with their interval, conversion interval, mutu and kinerja (PermenPAN-RB 14/2017)."""
    from reportlab.lib.units import cm

    return _table(
        [
            ["Nilai persepsi", "Nilai interval (NI)", "NIK", "Mutu", "Kinerja"],
            ["1", "1,00 – 2,5996", "25,00 – 64,99", "D", "Tidak Baik"],
            ["2", "2,60 – 3,064", "65,00 – 76,60", "C", "Kurang Baik"],
            ["3", "3,0644 – 3,532", "76,61 – 88,30", "B", "Baik"],
            ["4", "3,5324 – 4,00", "88,31 – 100,00", "A", "Sangat Baik"],
        ],
        [2.6 * cm, 3.6 * cm, 3.6 * cm, 1.8 * cm, 4.4 * cm],
        center=(0, 1, 2, 3),
    )


def _services(ctx: _Ctx) -> list:
    """IKM per service, with "indikatif" where a service's respondents are below the sample minimum."""
    from reportlab.lib.units import cm

    s, fig = ctx.styles, ctx.figures
    story = [_heading("IKM per jenis layanan", s["h3"])]
    if not fig.by_service:
        return story + [_para("Tidak ada data per jenis layanan.", s["body"])]
    rows = [["Jenis layanan", "Responden", "NIK", "Mutu", "Keterangan"]]
    for g in fig.by_service:
        note = "indikatif" if g.indicative else ""
        rows.append([
            _para(esc(g.name), s["cell"]), fmt_int(g.result.respondents),
            fmt_dec(g.result.nik, 2) if g.result.has_data else "tidak ada data", g.result.mutu or "-", note,
        ])  # fmt: skip
    story.append(_table(rows, [7.8 * cm, 2.4 * cm, 2.2 * cm, 1.4 * cm, 2.4 * cm], right=(1, 2), center=(3, 4)))
    if fig.sample is None:
        text = (
            "Populasi penerima layanan belum diisi, sehingga tidak dapat dinilai apakah IKM per jenis layanan "
            "memenuhi sampel minimum; angka per jenis layanan dibaca sebagai gambaran."
        )
    else:
        text = (
            f'Keterangan "indikatif": jumlah responden jenis layanan tersebut di bawah sampel minimum periode ini '
            f"({fmt_int(fig.sample.required)} responden), sehingga nilainya hanya gambaran."
        )
    story.append(_para(text, s["note"]))
    return story


# ---------------------------------------------------------------------------------------------------------------
# BAB IV


def _bab4(ctx: _Ctx) -> list:
    """BAB IV Analisis Hasil SKM: weakest and strongest elements, follow-up plan, trend."""
    s, result = ctx.styles, ctx.figures.result
    answered = [e for e in result.elements if e.nrr is not None]
    weakest = list(result.weakest(3))
    strongest = sorted(answered, key=lambda e: (-e.nrr, e.code))[: min(3, max(0, len(answered) - len(weakest)))]
    story = [
        _heading("BAB IV<br/>ANALISIS HASIL SKM", s["bab"], ("BAB IV Analisis Hasil", 0)),
        _heading("4.1 Analisis Kelemahan dan Kelebihan Unsur Layanan", s["h2"], ("4.1 Kelemahan dan Kelebihan", 1)),
    ]
    if not answered:
        story.append(_para("Tidak ada data pada periode ini.", s["body"]))
    else:
        story += _weak_and_strong(ctx, weakest, strongest)
    story += _follow_up(ctx, weakest)
    story += _trend(ctx)
    return story


def _describe(elements) -> str:
    """Elements with their NRR, NRR × 25 and mutu, separated by semicolons."""
    return "; ".join(
        f"{e.code} {esc(e.name)} (NRR {fmt_dec(e.nrr, 3)}, NRR × 25 = {fmt_dec(e.nik, 2)}, mutu {e.mutu})"
        for e in elements
    )


def _weak_and_strong(ctx: _Ctx, weakest: list, strongest: list) -> list:
    """The three lowest elements (improvement priorities) and the highest ones (to keep)."""
    s = ctx.styles
    story = [
        _para(
            "Unsur diurutkan menurut NRR. Tiga unsur dengan nilai terendah, yang menjadi prioritas perbaikan: "
            f"{_describe(weakest)}.",
            s["body"],
        )
    ]
    if strongest:
        story.append(
            _para(
                f"Unsur dengan nilai tertinggi, yang perlu dipertahankan: {_describe(strongest)}.",
                s["body"],
            )
        )
    return story


def _follow_up(ctx: _Ctx, weakest: list) -> list:
    """Section 4.2: the recorded follow-up actions of a published period, or the table left for the public forum."""
    from reportlab.lib.units import cm

    from analytics.followup_progress import report_rows

    s = ctx.styles
    dash = ctx.dashboard
    actions = [] if not dash.frozen or dash.filtered else report_rows(unit_id=dash.unit_id, period_key=dash.period.key,
                                                                         today=dash.today)  # fmt: skip
    if actions:
        return _recorded_follow_up(ctx, actions)
    rows = [["No", "Unsur (prioritas)", "NRR × 25", "Rencana tindak lanjut", "Waktu", "Penanggung jawab"]]
    for i, e in enumerate(weakest or [None, None, None], start=1):
        label = _para(f"{e.code} {esc(e.name)}", s["cell"]) if e else ""
        rows.append([str(i), label, fmt_dec(e.nik, 2) if e else "", "", "", ""])
    return [
        _heading("4.2 Rencana Tindak Lanjut", s["h2"], ("4.2 Rencana Tindak Lanjut", 1)),
        _para(
            "Rencana tindak lanjut atas tiga unsur terendah dibahas dan disepakati dalam Forum Konsultasi Publik "
            "bersama perwakilan pengguna layanan. Kolom rencana, waktu dan penanggung jawab diisi pada forum tersebut.",
            s["body"],
        ),
        _table(
            rows,
            [0.9 * cm, 4.4 * cm, 1.7 * cm, 4.6 * cm, 2.0 * cm, 2.9 * cm],
            right=(2,),
            center=(0,),
            row_heights=[None] + [1.6 * cm] * (len(rows) - 1),
        ),  # fmt: skip
    ]


def _recorded_follow_up(ctx: _Ctx, actions: list) -> list:
    """Section 4.2 from the actions recorded in the application: plan, owner, due date and status of each."""
    from reportlab.lib.units import cm

    s = ctx.styles
    rows = [["No", "Unsur / sumber", "Rencana tindak lanjut", "Waktu", "Penanggung jawab", "Status"]]
    for i, a in enumerate(actions, start=1):
        due = a.due_on.strftime("%d-%m-%Y") if a.due_on else "-"
        status = a.status + (" (melewati tenggat)" if a.overdue else "")
        rows.append([str(i), _para(esc(a.source), s["cell"]), _para(esc(a.description or "-"), s["cell"]), due,
                     _para(esc(a.owner or "-"), s["cell"]), _para(esc(status), s["cell"])])  # fmt: skip
    return [
        _heading("4.2 Rencana Tindak Lanjut", s["h2"], ("4.2 Rencana Tindak Lanjut", 1)),
        _para(
            "Rencana tindak lanjut atas unsur terendah dan kategori pengaduan yang dipilih, sebagaimana dicatat "
            f"dalam aplikasi; status per {fmt_date(ctx.dashboard.today)}.",
            s["body"],
        ),
        _table(rows, [0.9 * cm, 3.4 * cm, 4.7 * cm, 2.0 * cm, 2.8 * cm, 2.7 * cm], center=(0, 3)),
    ]


def _trend(ctx: _Ctx) -> list:
    """Section 4.3: the IKM per month ("tidak ada data" for a month without questionnaires, * when published)."""
    from reportlab.lib.units import cm

    s = ctx.styles
    story = [
        _heading("4.3 Tren Nilai SKM", s["h2"], ("4.3 Tren Nilai SKM", 1)),
        _para(
            "IKM per bulan dihitung dari seluruh kuesioner pada bulan tersebut (bukan rata-rata nilai bulanan). "
            'Bulan tanpa kuesioner ditulis "tidak ada data", bukan nol.',
            s["body"],
        ),
    ]
    rows = [["Bulan", "Responden", "IKM (NI)", "NIK", "Mutu"]]
    marked = False
    for point in ctx.dashboard.trend:
        res, label = point.result, point.period.label
        if point.published:
            label, marked = label + " *", True
        if res.has_data:
            rows.append([label, fmt_int(res.respondents), fmt_dec(res.ikm, 3), fmt_dec(res.nik, 2), res.mutu])
        else:
            rows.append([label, "0", "tidak ada data", "tidak ada data", "-"])
    story.append(_table(rows, [4.6 * cm, 2.4 * cm, 2.8 * cm, 2.8 * cm, 1.6 * cm], right=(1, 2, 3), center=(4,)))
    if marked:
        story.append(_para("* angka yang dipublikasikan (dibekukan saat publikasi).", s["note"]))
    return story + _trend_chart(ctx)
