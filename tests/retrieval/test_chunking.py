from __future__ import annotations

from apps.retrieval.services import (
    CHUNK_SIZE,
    markdown_sections,
    policy_chunks,
    product_chunks,
    text_split,
)


def test_short_text_is_one_chunk() -> None:
    assert text_split("Returns are free.") == ["Returns are free."]


def test_empty_text_has_no_chunks() -> None:
    assert text_split("") == []
    assert text_split(" \n\n  ") == []


def test_long_text_splits_near_size_with_overlap() -> None:
    # given ten paragraphs of about 200 characters, each ending with a distinct marker
    paragraphs = [("word " * 38) + f"marker{i}." for i in range(10)]
    text = "\n\n".join(paragraphs)

    # when
    chunks = text_split(text, size=500, overlap=100)

    # then every chunk fits, every paragraph is kept, and consecutive chunks share text
    assert len(chunks) >= 4
    assert all(len(chunk) <= 500 for chunk in chunks)
    for i in range(10):
        assert any(f"marker{i}." in chunk for chunk in chunks)
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert after.split()[0] in before.split()[-20:]


def test_a_giant_word_is_cut_not_lost() -> None:
    chunks = text_split("x" * 1234, size=500, overlap=0)
    assert [len(c) for c in chunks] == [500, 500, 234]


def test_markdown_sections_split_on_headings() -> None:
    body = "Intro line.\n\n# Returns\nWithin 30 days.\n\n## Final sale\nUnderwear.\n"
    assert markdown_sections(body) == [
        ("", "Intro line."),
        ("Returns", "Within 30 days."),
        ("Final sale", "Underwear."),
    ]


def test_policy_chunks_carry_the_section_in_the_title() -> None:
    body = "## Final sale\n\nUnderwear is final sale.\n\n## Refunds\n\n" + ("Refunds take days. " * 60)
    chunks = policy_chunks(title="Returns", body=body)
    assert chunks[0].title == "Returns — Final sale"
    assert chunks[0].text == "Underwear is final sale."
    refund_chunks = [c for c in chunks if c.title == "Returns — Refunds"]
    assert len(refund_chunks) >= 2
    assert all(len(c.text) <= CHUNK_SIZE for c in refund_chunks)


def test_policy_with_empty_body_is_still_one_chunk() -> None:
    chunks = policy_chunks(title="Privacy", body="")
    assert [(c.title, c.text) for c in chunks] == [("Privacy", "")]


def test_product_chunk_holds_category_description_attributes_and_size_chart() -> None:
    chunks = product_chunks(
        name="Trail Runner",
        category="shoes",
        description="Grippy trail shoe.",
        attributes={"material": "mesh", "colors": ["red", "blue"]},
        size_chart="US 9 = 27 cm",
    )
    assert len(chunks) == 1
    text = chunks[0].text
    assert chunks[0].title == "Trail Runner"
    for part in (
        "Category: shoes",
        "Grippy trail shoe.",
        "material: mesh",
        "colors: red, blue",
        "US 9 = 27 cm",
    ):
        assert part in text
