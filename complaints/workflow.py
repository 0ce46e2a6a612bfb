"""The legal status transitions (product decision 8), as one table the model and every caller obey."""

from app.i18n import N_
from complaints.models import Status

# from-status -> the statuses it may move to. Ditolak and Selesai lead only to the archive.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.VERIFIED, Status.REJECTED}),
    Status.VERIFIED: frozenset({Status.ROUTED, Status.REJECTED}),
    Status.ROUTED: frozenset({Status.ROUTED, Status.FOLLOWED_UP}),  # re-routing to another unit is allowed
    Status.FOLLOWED_UP: frozenset({Status.ROUTED, Status.DONE}),  # re-routed when the answer did not settle it
    Status.REJECTED: frozenset({Status.ARCHIVED}),
    Status.DONE: frozenset({Status.ARCHIVED}),
    Status.ARCHIVED: frozenset(),
}

# Statuses in which the office still owes the reporter something (the LKE's "sedang diproses" once verified).
OPEN = frozenset({Status.RECEIVED, Status.VERIFIED, Status.ROUTED, Status.FOLLOWED_UP})
CLOSED = frozenset({Status.REJECTED, Status.DONE, Status.ARCHIVED})


def can_transition(current: Status, target: Status) -> bool:
    """Whether `current` may move to `target`."""
    return target in TRANSITIONS[Status(current)]


# The SP4N-LAPOR! names of the statuses (Indonesian source; translate where shown).
STATUS_LABELS: dict[Status, str] = {
    Status.RECEIVED: N_("Belum Terverifikasi"),
    Status.VERIFIED: N_("Terverifikasi"),
    Status.REJECTED: N_("Ditolak"),
    Status.ROUTED: N_("Didisposisikan"),
    Status.FOLLOWED_UP: N_("Ditindaklanjuti"),
    Status.DONE: N_("Selesai"),
    Status.ARCHIVED: N_("Diarsipkan"),
}
