"""The questionnaire is pinned to PermenPAN-RB 14/2017 and product decision 4."""

from survey.questionnaire import ELEMENT_CODES, ELEMENTS, ELEMENTS_BY_CODE, ELEMENTS_BY_ID

# Written out by hand from domain-rules.md §1.2-1.3 so a change to the data cannot also change the expectation.
EXPECTED = [
    ("U1", "persyaratan", "Persyaratan",
     "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
     ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    ("U2", "prosedur", "Sistem, Mekanisme, dan Prosedur",
     "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
     ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah")),
    ("U3", "waktu", "Waktu Penyelesaian",
     "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
     ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat")),
    ("U4", "biaya", "Biaya/Tarif",
     "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
     ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")),
    ("U5", "produk", "Produk Spesifikasi Jenis Pelayanan",
     "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam standar "
     "pelayanan dengan hasil yang diberikan?",
     ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    ("U6", "kompetensi", "Kompetensi Pelaksana",
     "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
     ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten")),
    ("U7", "perilaku", "Perilaku Pelaksana",
     "Bagamana pendapat saudara perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
     ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah")),
    ("U8", "pengaduan", "Penanganan Pengaduan, Saran dan Masukan",
     "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
     ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik")),
    ("U9", "sarana", "Sarana dan Prasarana",
     "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
     ("Buruk", "Cukup", "Baik", "Sangat Baik")),
]  # fmt: skip


def test_nine_elements_in_definition_order():
    assert ELEMENT_CODES == tuple(f"U{i}" for i in range(1, 10))
    assert len(ELEMENTS) == 9


def test_wording_and_options_are_verbatim_and_bound_to_their_element():
    for code, element_id, name, question, options in EXPECTED:
        element = ELEMENTS_BY_CODE[code]
        assert ELEMENTS_BY_ID[element_id] is element
        assert (element.name, element.question, element.options) == (name, question, options), code


def test_pengaduan_and_sarana_option_lists_are_not_swapped():
    # A known defect in peer apps: the U8 and U9 option lists exchanged.
    assert ELEMENTS_BY_ID["pengaduan"].label(4) == "Dikelola dengan baik"
    assert ELEMENTS_BY_ID["sarana"].label(1) == "Buruk"


def test_every_element_has_english_gloss_of_same_shape():
    for element in ELEMENTS:
        assert element.question_en and element.name_en
        assert len(element.options_en) == 4 and all(element.options_en)
