"""Seed and article files read as documents (``monitor.documents``)."""

from __future__ import annotations

from pathlib import Path

from monitor.documents import read_text_document


def test_a_date_header_is_no_part_of_the_title(tmp_path: Path) -> None:
    """"date YYYY-MM-DD" on its own line dates the document; "date YYYY-MM" heading the
    title's line (a month, no day) is cut from the title too, the day left to the text."""
    full = tmp_path / "a.txt"
    full.write_text("date 2023-11-13\nGlobex fires its chief executive\n\nGlobex fired her.\n")
    doc = read_text_document(full)
    assert doc.title == "Globex fires its chief executive"
    assert doc.published is not None and doc.published.date().isoformat() == "2023-11-13"
    month = tmp_path / "b.txt"
    month.write_text("date 2023-11 La stratégie de Globex est claire : miser sur elle.\n\n"
                     "Le conseil de Globex a choisi.\n", encoding="utf-8")
    doc = read_text_document(month)
    assert doc.title == "La stratégie de Globex est claire : miser sur elle."
    assert "date 2023" not in doc.text
