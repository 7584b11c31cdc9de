"""Size spelling: what shoppers type, and the one form the catalog is compared in."""

from __future__ import annotations

import pytest

from apps.catalog.selectors import size_normalize


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("10", "10"),
        ("size 10", "10"),
        ("Size 10", "10"),
        ("sz 10", "10"),
        ("US 10", "10"),
        ("in a 10", "10"),
        ("an 11", "11"),
        ("10.0", "10"),
        ("10.5", "10.5"),
        ("10,5", "10.5"),
        ("10 1/2", "10.5"),
        ("10½", "10.5"),
        ("10 and a half", "10.5"),
        ("ten", "10"),
        ("Ten and a half", "10.5"),
        ("nine and half", "9.5"),
        ("eleven", "11"),
        ("7.50", "7.5"),
        ("xl", "XL"),
        ("XL", "XL"),
        ("x-large", "XL"),
        ("X Large", "XL"),
        ("extra large", "XL"),
        ("xlarge", "XL"),
        ("xxl", "XXL"),
        ("2XL", "XXL"),
        ("extra extra large", "XXL"),
        ("medium", "M"),
        ("med", "M"),
        ("m", "M"),
        ("size M", "M"),
        ("small", "S"),
        ("Large", "L"),
        ("xs", "XS"),
        ("extra small", "XS"),
        ("3xl", "XXXL"),
        ("one size", "ONE SIZE"),
        ("32x30", "32X30"),
        ("  ", ""),
        ("", ""),
        ("size", ""),
    ],
)
def test_size_normalize(typed, expected):
    assert size_normalize(typed) == expected


def test_same_size_any_spelling_compares_equal():
    assert len({size_normalize(s) for s in ["10.5", "10 1/2", "ten and a half", "size 10.5", "10,5"]}) == 1
    assert len({size_normalize(s) for s in ["XL", "x-large", "extra large", "xl"]}) == 1
