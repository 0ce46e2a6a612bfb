"""Staff pages of complaints: the officers' inbox, a complaint's page and its actions; the WBS handlers' pages."""

from flask import Blueprint

bp = Blueprint("complaints_staff", __name__, url_prefix="/admin/pengaduan")
wbs_bp = Blueprint("wbs_staff", __name__, url_prefix="/admin/wbs")
