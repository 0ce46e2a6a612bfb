"""Sample adequacy: the Krejcie-Morgan minimum sample for a population (product decision 6).

The table is the one printed in the regulation's Lampiran, hard-coded (its last
rows are the asymptote, not the formula). Between two rows the next higher row
applies; above the table the last value (384).
"""

from bisect import bisect_left
from dataclasses import dataclass

from survey.questionnaire import N_

KREJCIE_MORGAN: tuple[tuple[int, int], ...] = (
    (10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40), (50, 44), (55, 48),
    (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70), (90, 73), (95, 76), (100, 80), (110, 86),
    (120, 92), (130, 97), (140, 103), (150, 108), (160, 113), (170, 118), (180, 123), (190, 127), (200, 132),
    (210, 136), (220, 140), (230, 144), (240, 148), (250, 152), (260, 155), (270, 159), (280, 162), (290, 165),
    (300, 169), (320, 175), (340, 181), (360, 186), (380, 191), (400, 196), (420, 201), (440, 205), (460, 210),
    (480, 214), (500, 217), (550, 226), (600, 234), (650, 242), (700, 248), (750, 254), (800, 260), (850, 265),
    (900, 269), (950, 274), (1000, 278), (1100, 285), (1200, 291), (1300, 297), (1400, 302), (1500, 306),
    (1600, 310), (1700, 313), (1800, 317), (1900, 320), (2000, 322), (2200, 327), (2400, 331), (2600, 335),
    (2800, 338), (3000, 341), (3500, 346), (4000, 351), (4500, 354), (5000, 357), (6000, 361), (7000, 364),
    (8000, 367), (9000, 368), (10000, 370), (15000, 375), (20000, 377), (30000, 379), (40000, 380),
    (50000, 381), (75000, 382), (100000, 384), (1000000, 384),
)  # fmt: skip
_POPULATIONS = [n for n, _ in KREJCIE_MORGAN]


def required_sample(population: int) -> int:
    """Return the minimum number of respondents for a population of service recipients."""
    if population < 1:
        raise ValueError("Populasi harus minimal 1.")
    if population < _POPULATIONS[0]:
        return population  # below the table everyone is needed
    index = bisect_left(_POPULATIONS, population)
    if index == len(_POPULATIONS):
        return KREJCIE_MORGAN[-1][1]
    return KREJCIE_MORGAN[index][1]


@dataclass(frozen=True)
class SampleAdequacy:
    """Collected responses against the Krejcie-Morgan minimum for the period's population."""

    population: int
    required: int
    collected: int
    # (month key, population) when `population` is the sum of the months' entries (none entered for the period)
    months: tuple[tuple[str, int], ...] = ()

    @property
    def meets(self) -> bool:
        return self.collected >= self.required

    @property
    def shortfall(self) -> int:
        return max(0, self.required - self.collected)

    @property
    def label(self) -> str:
        return N_("Memenuhi") if self.meets else N_("Belum memenuhi")


def adequacy(*, collected: int, population: int, months: tuple[tuple[str, int], ...] = ()) -> SampleAdequacy:
    """Judge a period's responses against the minimum sample for its population (`months`: its summed parts)."""
    return SampleAdequacy(population=population, required=required_sample(population), collected=collected,
                          months=tuple(months))  # fmt: skip
