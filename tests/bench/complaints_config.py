"""Settings of the complaint benchmark (tests/bench/complaints_bench.py): targets, sizes and the doc markers."""

from dataclasses import dataclass

from tests.bench.survey_config import BASELINE_BODY, BASELINE_PATH, HERE

LUA = HERE / "complaint_post.lua"
PACKAGES = ("Flask", "Werkzeug", "Jinja2", "SQLAlchemy", "Flask-SQLAlchemy", "Flask-WTF", "Pillow", "gunicorn")

WORKDIR_PREFIX = "skm-complaints-bench-"  # the temporary directory of a run; complaints_seed works only inside one
COMPLAINTS = 10_000  # in the office database, all of the complaint stream
PHOTO_BYTES = 200 * 1024  # the photo's size aimed at
WARMUP = ("-t1", "-c4", "-d1s")
TIMEOUT = "10s"  # wrk's default 2 s would count a queued photo upload as a socket timeout
INBOX_PATH = "/admin/pengaduan/"
FORM_PATH = "/pengaduan/"
RECEIPT_PATH = "/pengaduan/tanda-terima"
BOUNDARY = "----WebKitFormBoundarySkmBench7MA4YWxk"  # what Chromium sends, fixed

START = "<!-- complaints-bench:start -->"
END = "<!-- complaints-bench:end -->"


@dataclass(frozen=True)
class Target:
    """One thing wrk loads: which server, method and path, and the request it sends."""

    key: str
    label: str
    server: str  # baseline | office (10,000 complaints) | intake (receives the POSTs)
    method: str
    path: str
    expect: int  # the status every answer must have
    baseline: str = ""  # the key of the baseline target it is compared with


# Measured in this order in every round, so a slow moment of the machine hits both sides of a ratio.
TARGETS = (
    Target("base_get", "GET the baseline form", "baseline", "GET", BASELINE_PATH, 200),
    Target("track", "GET a tracking page (`/pengaduan/lacak/<code>`)", "office", "GET", "", 200, "base_get"),
    Target("inbox", "GET the officer inbox, 10,000 complaints", "office", "GET", INBOX_PATH, 200, "base_get"),
    Target("base_post", "POST the baseline form", "baseline", "POST", BASELINE_PATH, 303),
    Target("post", "POST a complaint, no photo", "intake", "POST", FORM_PATH, 303, "base_post"),
    Target("base_post_file", "POST the baseline form + the same photo", "baseline", "POST", BASELINE_PATH, 303),
    Target("post_photo", "POST a complaint with a photo", "intake", "POST", FORM_PATH, 303, "base_post_file"),
)
BASELINE_FIELDS = dict(pair.split("=") for pair in BASELINE_BODY.split("&"))

# Single requests on the inbox without load (median of INBOX_SAMPLES): how the query copes with filters and depth.
INBOX_VARIANTS = (
    ("first page, newest first", ""),
    ("page 100 (offset 4,950)", "?page=100"),
    ("status Didisposisikan", "?status=didisposisikan"),
    ("overdue", "?deadline=overdue"),
    ("title search `izin`", "?q=izin"),
    ("one unit", "?unit={unit_id}"),
)
INBOX_SAMPLES = 15
