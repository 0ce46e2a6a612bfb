"""Complaint handling on the SP4N-LAPOR! workflow (planned; see the project's issues)."""
