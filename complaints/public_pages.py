"""What the public complaint pages show: the error summary of a form, the tracking page, the one 404 page."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import wraps

from flask import current_app, flash, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from complaints import service
from complaints.citizen import can_rate, can_reply
from complaints.forms import RATINGS, CitizenTextForm, RatingForm
from complaints.models import Complaint, EventKind, Status
from complaints.workflow import OPEN, STATUS_LABELS

# The order fields appear on the pages, so the error summary reads top to bottom.
FIELD_ORDER = (
    "klasifikasi", "unit", "layanan", "unsur", "judul", "uraian", "tanggal", "permintaan", "apa", "siapa", "di_mana",
    "kapan", "bagaimana", "lampiran", "anonim", "nama", "email", "telepon", "rahasia", "isi", "nilai",
)  # fmt: skip


@dataclass(frozen=True)
class ErrorEntry:
    """One field's message in the summary at the top of a form, linking to the field."""

    name: str
    anchor: str
    label: str
    message: str


@dataclass
class ErrorList:
    """Every problem of a submitted form: per field (shown at the field and in the summary) and general ones."""

    entries: list[ErrorEntry] = field(default_factory=list)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.entries or self.general)

    def add(self, form, name: str, message) -> None:
        """Note `message` about the form's field `name` (a general message when the form has no such field)."""
        target = form._fields.get(name) if form is not None and name != "csrf_token" else None
        if target is None:
            self.general.append(str(message))
            return
        anchor = f"{target.id}-0" if target.type == "RadioField" else target.id
        self.entries.append(ErrorEntry(name, anchor, str(target.label.text), str(message)))
        self.entries.sort(key=lambda e: FIELD_ORDER.index(e.name) if e.name in FIELD_ORDER else len(FIELD_ORDER))

    def add_messages(self, messages: Iterable, fields: Mapping[str, str], form) -> None:
        """Note a service's messages, each at the form field that shows its argument."""
        for message in messages:
            self.add(form, fields.get(message.field, message.field), message)

    def of(self, name: str) -> list[str]:
        """The messages about one field."""
        return [e.message for e in self.entries if e.name == name]


def field_errors(form, extra: Mapping[str, Sequence], *, validated: bool = True) -> ErrorList:
    """The form's own validation errors and `extra` messages per field, as one list."""
    errors = ErrorList()
    if validated:
        for name, messages in form.errors.items():
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                errors.add(form, name, message)
    for name, messages in extra.items():
        for message in messages:
            errors.add(form, name, message)
    return errors


def no_referrer(view: Callable) -> Callable:
    """Send `Referrer-Policy: no-referrer`: a page whose address holds a tracking code leaks it nowhere."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper


def _stream_name() -> str:
    return "wbs" if request.blueprint == "wbs" else "pengaduan"


def not_found():
    """The one page for every unknown or malformed code: the same body whatever was typed (no echo)."""
    lookup = f"{request.blueprint}.lookup"
    body = render_template(
        "complaints/public/not_found.html",
        stream=_stream_name(),
        lang_url=lambda lang: url_for(lookup, lang=lang),  # never the address that was typed
    )
    response = make_response(body, 404)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# -- the reporter's actions on the tracking page --------------------------------------------------------------------


@dataclass(frozen=True)
class CitizenAction:
    """One form on the tracking page: its form, whether it takes files, the service call, the thank-you line."""

    form_class: type
    files: bool
    perform: Callable
    done: str


def _add_info(c: Complaint, form, files) -> None:
    service.citizen_add_info(c, body=form.isi.data, attachments=files)


def _reply(c: Complaint, form, files) -> None:
    service.citizen_reply(c, body=form.isi.data, attachments=files)


def _rate(c: Complaint, form, files) -> None:
    service.rate(c, rating=int(form.nilai.data))


CITIZEN_ACTIONS = {
    "informasi": CitizenAction(CitizenTextForm, True, _add_info, _l("Keterangan tambahan Anda sudah kami terima.")),
    "tanggapan": CitizenAction(CitizenTextForm, True, _reply, _l("Tanggapan Anda sudah kami terima.")),
    "penilaian": CitizenAction(RatingForm, False, _rate, _l("Terima kasih atas penilaian Anda.")),
}


def action_form(action: str, *, formdata: bool):
    """The form of one action, reading the request (`formdata`) or empty; prefixed so the page's ids differ."""
    form_class = CITIZEN_ACTIONS[action].form_class
    return form_class(prefix=action) if formdata else form_class(formdata=None, prefix=action)


def done(action: str) -> None:
    """Thank the reporter on the next page."""
    flash(str(CITIZEN_ACTIONS[action].done), "info")


# -- the tracking page ----------------------------------------------------------------------------------------------

SHOWN_KINDS = (EventKind.TRANSITION, EventKind.RESPONSE)
CITIZEN_KINDS = {
    EventKind.CITIZEN_INFO: _l("Anda menambahkan keterangan."),
    EventKind.CITIZEN_REPLY: _l("Anda menanggapi jawaban petugas."),
}


@dataclass(frozen=True)
class Entry:
    """One line of the public history: when, what (a status or a response), and the office's words."""

    at: object
    title: str
    body: str


def history(c: Complaint, *, own: bool) -> list[Entry]:
    """The public history of a report: status changes and responses; the reporter's own steps (`own`), dated,
    without their words. Internal notes, assignments and officers' names never appear. Another reporter's report
    (`own` False: the original of a duplicate) shows its steps and dates, never the office's words to that
    reporter, which may name them."""
    entries = []
    for event in c.events:
        if event.kind in SHOWN_KINDS and event.public:
            if event.kind == EventKind.RESPONSE:
                title = _("Tanggapan petugas")
            else:
                title = _("Status: %(status)s", status=_(STATUS_LABELS[Status(event.to_status)]))
            entries.append(Entry(event.at, title, event.body if own else ""))
        elif own and event.kind in CITIZEN_KINDS:
            entries.append(Entry(event.at, str(CITIZEN_KINDS[event.kind]), ""))
    return entries


def _deadlines(c: Complaint, *, own: bool = True) -> list[tuple[str, object]]:
    """The dates the office (or, on their own report, the reporter) has to keep now."""
    status = Status(c.status)
    rows = []
    if status == Status.RECEIVED:
        rows.append((_("Batas verifikasi"), c.verify_due))
    if status == Status.ROUTED and c.followup_due:
        rows.append((_("Batas tindak lanjut"), c.followup_due))
    if status == Status.FOLLOWED_UP and c.reply_due and own:
        rows.append((_("Anda dapat menanggapi sampai"), c.reply_due))
    if status in OPEN and c.completion_due:
        rows.append((_("Batas penyelesaian"), c.completion_due))
    return rows


def render_track(c: Complaint, code: str, *, active=None, status: int = 200):
    """The tracking page of `c`; `active` = (action, form, errors) when a form comes back with errors."""
    shown = {"informasi": c.status in OPEN and not can_reply(c), "tanggapan": can_reply(c), "penilaian": can_rate(c)}
    # Only the forms the page offers (each carries a CSRF token: building the others is wasted work).
    forms = {name: action_form(name, formdata=False) for name in CITIZEN_ACTIONS if shown[name]}
    errors = {}
    if active is not None:
        name, form, problems = active
        forms[name], errors[name] = form, problems
    original = c.duplicate_of
    body = render_template(
        "complaints/public/track.html",
        complaint=c,
        code=code,
        stream=_stream_name(),
        status_label=_(STATUS_LABELS[Status(c.status)]),
        deadlines=_deadlines(c),
        history=history(c, own=True),
        original=original,
        original_status=_(STATUS_LABELS[Status(original.status)]) if original is not None else "",
        original_history=history(original, own=False) if original is not None else [],
        original_deadlines=_deadlines(original, own=False) if original is not None else [],
        shown=shown,
        refused=active[0] if active is not None and not shown[active[0]] else None,
        rating_label=dict(RATINGS).get(c.rating, ""),
        forms=forms,
        errors=errors,
        empty=ErrorList(),
        max_mb=current_app.config["COMPLAINT_ATTACHMENT_MAX_BYTES"] // (1024 * 1024),
        max_files=current_app.config["COMPLAINT_MAX_ATTACHMENTS"],
    )
    response = make_response(body, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
