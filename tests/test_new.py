"""File names that `kb new event` derives from titles."""

from __future__ import annotations

import pytest

from generator.commands.new import slugify


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        (
            "Alibaba to release unaudited results for the December quarter",
            "alibaba-to-release-unaudited-results-for-the-december",
        ),
        ("Ärger über Straßenbau in Köln", "aerger-ueber-strassenbau-in-koeln"),
        ("Société Générale signs €2bn deal", "societe-generale-signs-2bn-deal"),
        ("x" * 80, "x" * 60),
        ("阿里巴巴", "event"),
        ("  --  ", "event"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug
    assert len(slugify(title)) <= 60
