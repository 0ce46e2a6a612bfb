"""docs/benchmarks.md: each benchmark owns the text between its two markers and never touches the rest."""

from pathlib import Path


def write_section(path: Path, section: str, *, start: str, end: str) -> None:
    """Replace what lies between `start` and `end` with `section` (which begins and ends with them), appending it
    when the markers are absent; keep every other byte."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if start in text and end in text and text.index(start) < text.index(end):
        head, rest = text.split(start, 1)
        text = head + section.rstrip("\n") + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
