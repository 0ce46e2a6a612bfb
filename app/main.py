"""Public home page: the units and the survey links of their counters."""

from flask import Blueprint, render_template

from app.directory import list_units

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    """List every unit with its active counters, for visitors who arrive without a QR code."""
    return render_template("main/index.html", units=list_units())


@bp.route("/healthz")
def healthz():
    """Answer a load balancer's health check."""
    return {"status": "ok"}
