"""Report writers: JUnit XML and JSON for CI, Markdown for a pull-request comment."""

from __future__ import annotations

from pathlib import Path

from conformance.reports import jsonreport, junit, markdown

WRITERS = {"junit": (junit.render, "conformance.junit.xml"), "json": (jsonreport.render, "conformance.json"),
           "md": (markdown.render, "conformance.md")}


def write(report, formats: list[str], directory: str | Path) -> list[Path]:
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in formats:
        render, filename = WRITERS[name]
        path = folder / filename
        path.write_text(render(report), encoding="utf-8")
        written.append(path)
    return written
