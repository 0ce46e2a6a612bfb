"""Public pages of complaints: intake at /pengaduan/ and /wbs/, receipts, and tracking by code."""

from flask import Blueprint

bp = Blueprint("complaints", __name__, url_prefix="/pengaduan")
wbs_bp = Blueprint("wbs", __name__, url_prefix="/wbs")
