import base64
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from sandbox.engine import SourceError, load_source
from sandbox.engine.synthetic import product_photo

from .conftest import data_uri, png_bytes, product_image


def _encoded(fmt: str, mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, (40, 30), (10, 120, 200, 128)[: len(mode)]).save(buf, format=fmt)
    return buf.getvalue()


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    idat = b"IDAT" + zlib.compress(b"\x00" * 64)
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
            + struct.pack(">I", len(idat) - 4) + idat + struct.pack(">I", zlib.crc32(idat)))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_assets_decode_each_format(fmt):
    src = load_source("https://sandbox.local/files/a", assets={"https://sandbox.local/files/a": _encoded(fmt)})
    assert (src.width, src.height, src.origin, src.format) == (40, 30, "asset", fmt)
    assert src.pixels.shape == (30, 40, 3) and src.pixels.dtype == np.uint8
    assert not src.pixels.flags.writeable


def test_transparency_is_kept():
    src = load_source("a", assets={"a": _encoded("PNG", "RGBA")})
    assert src.pixels.shape == (30, 40, 4)
    assert int(src.pixels[0, 0, 3]) == 128


def test_data_uri_and_fixture(tmp_path):
    rgb, _ = product_image(size=(64, 48))
    src = load_source(data_uri(rgb))
    assert src.origin == "data" and np.array_equal(src.pixels, rgb)
    path = tmp_path / "p.png"
    path.write_bytes(png_bytes(rgb))
    src = load_source("https://cdn.example/p.png", fixtures={"https://cdn.example/p.png": path})
    assert src.origin == "fixture" and np.array_equal(src.pixels, rgb)


def test_assets_take_precedence_over_everything():
    url = "https://unreachable.invalid/x.png"
    assert load_source(url, assets={url: _encoded("PNG")}).origin == "asset"


def test_synthetic_is_deterministic_and_differs_per_url():
    a = load_source("https://shop.example/a.jpg")
    b = load_source("https://shop.example/b.jpg")
    assert a.origin == "synthetic" and (a.width, a.height) == (768, 768)
    assert np.array_equal(a.pixels, product_photo("https://shop.example/a.jpg")[0])
    assert not np.array_equal(a.pixels, b.pixels)


def test_synthetic_has_a_product_on_a_textured_backdrop():
    rgb, mask = product_photo("https://shop.example/texture.jpg")
    inside = mask == 255
    assert 0.05 < inside.mean() < 0.5
    backdrop = rgb[mask == 0].astype(np.float32)
    assert backdrop.std(axis=0).max() > 4.0  # busy, not flat


@pytest.mark.parametrize("url", [
    "https://unreachable.invalid/a.png",
    "http://UNREACHABLE.INVALID./b",
    "https://cdn.example/__unreachable__/c.jpg",
])
def test_magic_unreachable_urls(url):
    with pytest.raises(SourceError) as info:
        load_source(url)
    assert info.value.code == "unreachable"


def test_missing_fixture_is_unreachable(tmp_path):
    with pytest.raises(SourceError) as info:
        load_source("https://cdn.example/x", fixtures={"https://cdn.example/x": tmp_path / "missing.png"})
    assert info.value.code == "unreachable"


GOOD_PNG = png_bytes(np.full((32, 32, 3), 90, np.uint8))


@pytest.mark.parametrize(("data", "code"), [
    (b"", "invalid_image"),
    (b"hello, I am plain text and not an image", "invalid_image"),
    (GOOD_PNG[: len(GOOD_PNG) // 2], "invalid_image"),
    (_encoded("JPEG")[:60], "invalid_image"),
    (_encoded("WEBP")[:30], "invalid_image"),
    (_encoded("GIF"), "invalid_image"),
    (_encoded("BMP"), "invalid_image"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "invalid_image"),
    (_png_header(100_000, 100_000), "too_large"),
    (_png_header(5000, 4000), "too_large"),
    (_png_header(64, 64), "invalid_image"),
])
def test_bad_images_raise_source_error(data, code):
    with pytest.raises(SourceError) as info:
        load_source("up", assets={"up": data})
    assert info.value.code == code


def test_byte_cap():
    with pytest.raises(SourceError) as info:
        load_source("up", assets={"up": GOOD_PNG}, max_bytes=len(GOOD_PNG) - 1)
    assert info.value.code == "too_large"


@pytest.mark.parametrize("uri", [
    "data:text/plain;base64," + base64.b64encode(GOOD_PNG).decode(),
    "data:image/png;base64,%%%not-base64%%%",
    "data:image/png;base64",
    "data:image/png;base64,",
])
def test_bad_data_uris(uri):
    with pytest.raises(SourceError) as info:
        load_source(uri)
    assert info.value.code == "invalid_image"


def test_source_error_codes_are_closed():
    with pytest.raises(ValueError):
        SourceError("teapot", "no")


@pytest.mark.parametrize("side", [5000, 60000])
def test_jpeg_with_huge_dimensions_header(side):
    data = bytearray(_encoded("JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", side, side)
    with pytest.raises(SourceError) as info:
        load_source("up", assets={"up": bytes(data)})
    assert info.value.code == "too_large"


def test_sixteen_bit_greyscale_is_scaled_not_clipped():
    buf = io.BytesIO()
    Image.fromarray((np.arange(64 * 64).reshape(64, 64) * 16).astype(np.uint16)).save(buf, "PNG")
    src = load_source("up", assets={"up": buf.getvalue()})
    assert src.pixels.shape == (64, 64, 3)
    assert int(src.pixels[32, 0, 0]) == (32 * 64 * 16) >> 8
