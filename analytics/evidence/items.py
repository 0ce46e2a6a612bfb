"""The Zona Integritas LKE items the evidence pack supports (PermenPAN-RB 90/2021; domain rules section 3).

Each item has its code as the pack's manifest writes it, the LKE's question, and what the office must add when the
application holds nothing for it yet (written into the pack as a "belum tersedia" file, so no item is silently
absent).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    code: str
    question: str
    when_missing: str  # what is missing and where to supply it


ITEMS: tuple[Item, ...] = (
    Item("V.iii.a", "Kebijakan pengaduan masyarakat telah diimplementasikan",
         "Belum ada pengaduan yang tercatat pada tahun ini. Catat pengaduan dari semua kanal (loket, telepon, "
         "email, kotak saran, media sosial, SP4N-LAPOR!) di aplikasi agar registernya menjadi bukti."),
    Item("V.iii.b", "Hasil penanganan pengaduan masyarakat telah ditindaklanjuti",
         "Belum ada pengaduan yang harus ditindaklanjuti pada tahun ini."),
    Item("V.iii.c", "Telah dilakukan monitoring dan evaluasi atas penanganan pengaduan masyarakat",
         "Belum ada catatan monitoring dan evaluasi penanganan pengaduan untuk tahun ini. Tulis temuan dan "
         "tindak lanjutnya per periode di halaman rekap pengaduan."),
    Item("V.iii.d", "Hasil evaluasi atas penanganan pengaduan masyarakat telah ditindaklanjuti",
         "Belum ada catatan monitoring dan evaluasi pengaduan yang tindak lanjutnya ditandai selesai."),
    Item("V.iv.a", "Whistle Blowing System telah diterapkan",
         "Belum ada rekap WBS untuk tahun ini. Lampirkan juga kebijakan (SK) WBS unit, yang tidak disimpan "
         "aplikasi."),
    Item("V.iv.b", "Telah dilakukan evaluasi atas penerapan Whistle Blowing System",
         "Belum ada catatan evaluasi WBS untuk tahun ini. Petugas WBS menuliskannya per periode."),
    Item("V.iv.c", "Hasil evaluasi atas penerapan Whistle Blowing System telah ditindaklanjuti",
         "Belum ada catatan evaluasi WBS yang tindak lanjutnya ditandai selesai."),
    Item("VI.i.c", "Dilakukan reviu dan perbaikan atas standar pelayanan (memanfaatkan hasil SKM dan pengaduan)",
         "Belum ada rencana tindak lanjut hasil SKM atau pengaduan pada tahun ini. Notulen Forum Konsultasi "
         "Publik dan keputusan reviu standar pelayanan tidak disimpan aplikasi: lampirkan sendiri."),
    Item("VI.iii.a", "Terdapat media pengaduan dan konsultasi pelayanan yang terintegrasi dengan SP4N-LAPOR!",
         "Belum ada pengaduan yang tercatat pada tahun ini, sehingga kanal yang dipakai belum terlihat."),
    Item("VI.iii.b", "Terdapat unit yang mengelola pengaduan dan konsultasi pelayanan",
         "Aplikasi tidak menyimpan surat keputusan unit pengelola pengaduan dan surat penugasan pengelola "
         "SP4N-LAPOR!. Lampirkan salinannya."),
    Item("VI.iii.c", "Telah dilakukan evaluasi atas penanganan keluhan/masukan dan konsultasi",
         "Belum ada catatan monitoring dan evaluasi penanganan pengaduan untuk tahun ini."),
    Item("VI.iv.a", "Telah dilakukan survei kepuasan masyarakat terhadap pelayanan",
         "Belum ada periode SKM yang dipublikasikan pada tahun ini. Publikasikan hasil setiap periode di halaman "
         "IKM."),
    Item("VI.iv.b", "Hasil survei kepuasan masyarakat dapat diakses secara terbuka",
         "Belum ada hasil SKM yang dipublikasikan pada tahun ini, dan belum ada catatan di mana hasil itu "
         "diumumkan (papan pengumuman, situs web, media sosial)."),
    Item("VI.iv.c", "Dilakukan tindak lanjut atas hasil survei kepuasan masyarakat",
         "Belum ada rencana tindak lanjut (RTL) atas hasil SKM tahun ini."),
    Item("R.pengaduan", "Persentase penanganan pengaduan masyarakat",
         "Belum ada pengaduan yang harus ditindaklanjuti pada tahun ini, sehingga persentasenya tidak dapat "
         "dihitung."),
)  # fmt: skip

CODES: tuple[str, ...] = tuple(item.code for item in ITEMS)
BY_CODE: dict[str, Item] = {item.code: item for item in ITEMS}
