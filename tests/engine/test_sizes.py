import pytest

from sandbox.engine import output_size, size_table
from sandbox.engine.sizes import NAMED_RATIOS, RATIOS


@pytest.mark.parametrize(("ratio", "resolution", "expected"), [
    (None, None, (1024, 1024)),
    ("1:1", "2K", (2048, 2048)),
    ("16:9", "1K", (1024, 576)),
    ("9:16", "1K", (576, 1024)),
    ("4:3", "4K", (4096, 3072)),
    ("3:2", "1K", (1024, 680)),
    ("21:9", "1K", (1024, 440)),
    ("LANDSCAPE", "1K", (1024, 576)),
    ("PORTRAIT", "2K", (1152, 2048)),
    ("SQUARE", None, (1024, 1024)),
    ("PORTRAIT_4_5", "1K", (816, 1024)),
    ("landscape_5_4", "1k", (1024, 816)),
    ("7:5", "1K", (1024, 728)),
    ("1:22", "2K", (96, 2048)),  # as wide as the documents allow: any "W:H" with sides 1..99
    ("99:1", "1K", (1024, 8)),
])
def test_output_size(ratio, resolution, expected):
    assert output_size(ratio, resolution) == expected


@pytest.mark.parametrize(("ratio", "resolution"), [("banana", "1K"), ("1:0", "1K"), ("1:1", "8K"), ("100:1", "1K")])
def test_output_size_rejects_unknown(ratio, resolution):
    with pytest.raises(ValueError):
        output_size(ratio, resolution)


def test_size_table_covers_every_name_and_rounds_to_8():
    rows = size_table()
    names = {row["aspect_ratio"] for row in rows}
    assert names == set(RATIOS) | set(NAMED_RATIOS)
    assert len(rows) == len(names) * 3
    for row in rows:
        assert row["width"] % 8 == 0 and row["height"] % 8 == 0
        assert max(row["width"], row["height"]) == {"1K": 1024, "2K": 2048, "4K": 4096}[row["resolution"]]
        assert (row["width"], row["height"]) == output_size(row["aspect_ratio"], row["resolution"])
