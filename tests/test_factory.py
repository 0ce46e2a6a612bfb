"""The app factory keeps the web path light."""

import subprocess
import sys

HEAVY = ("pandas", "matplotlib", "openpyxl", "reportlab", "numpy", "pypdf")


def test_web_workers_do_not_import_report_libraries(tmp_path):
    # A fresh interpreter: boot the app, serve the survey and the dashboard, then list what got imported.
    script = f"""
import sys
from tests.conftest import make_app
from app.extensions import db
from tests.factories import make_directory
app = make_app(SQLALCHEMY_DATABASE_URI="sqlite:///{tmp_path}/w.sqlite")
with app.app_context():
    db.create_all()
    make_directory()
    client = app.test_client()
    assert client.get("/s/dpmptsp-uji/loket-1").status_code == 200
    assert client.get("/hasil/").status_code == 200
    print(",".join(m for m in {HEAVY!r} if m in sys.modules))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
