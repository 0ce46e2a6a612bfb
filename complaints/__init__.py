"""Complaint handling (pengaduan) on the SP4N-LAPOR! workflow, and the whistle-blowing system (WBS)."""
