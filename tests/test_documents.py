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


def test_a_document_with_no_date_at_all_is_taken_for_one_of_the_batch_s_last_day(
    tmp_path: Path,
) -> None:
    """Seeds of a saga years old: two dated, one with no clue to its date. It is dated as
    "today" would be read (the batch's latest day), first of that day; not the day the
    seeds are read, which would make it the saga's newest fact by years."""
    from monitor.documents import load_documents, order_documents

    (tmp_path / "a.txt").write_text("date 2023-11-18\nGlobex fires its chief\n\nShe left.\n")
    (tmp_path / "b.txt").write_text("date 2023-11-20\nGlobex hires a new chief\n\nHe came.\n")
    (tmp_path / "c.txt").write_text("Grande est la confusion chez Globex.\n\nRien de plus.\n")
    docs = order_documents(load_documents([tmp_path]))
    assert [d.title for d in docs] == ["Globex fires its chief",
                                       "Grande est la confusion chez Globex.",
                                       "Globex hires a new chief"]
    undated = docs[1].published
    assert undated is not None and undated.date().isoformat() == "2023-11-20"
    assert docs[1].date_inferred
