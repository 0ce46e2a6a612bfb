"""Staff account pages: user management for administrators, one's own password, and the audit log."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/admin/pengguna")
