"""Every pipeline in the table renders every format at the asked size; variants and seeds."""

import io

import numpy as np
import pytest
from PIL import Image

from sandbox.engine import PIPELINES, Engine, EngineConfig, RenderRequest, load_source, watermark_box
from sandbox.engine.pipelines import NONE

from .conftest import decode

MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "jpg": b"\xff\xd8\xff", "webp": b"RIFF"}
MEDIA = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
SERVER_NAMES = {
    "product_photo_enhance", "remove_background", "studio_packshot", "marketplace_clean", "natural_lifestyle",
    "premium_ad", "image_editing", "image_ai_edit", "ai_background", "image_generation", "ad_creative",
    "productai_generate", "productai_upscale", "productai_custom_model", "productai_v1_generate",
}
PARAMS = {"prompt": "a bottle on a marble table at sunset", "model": "nanobanana", "headline": "Fresh",
          "cta": "Buy", "preset": "studio_white", "scale": 2}


@pytest.fixture(scope="module")
def source():
    return load_source("https://shop.example/products/42.jpg", synthetic_size=160)


def test_table_has_every_name_the_server_uses():
    assert set(PIPELINES) == SERVER_NAMES


@pytest.mark.parametrize("fmt", ["png", "jpg", "webp"])
@pytest.mark.parametrize("name", sorted(SERVER_NAMES))
def test_every_pipeline_renders_every_format(engine, source, name, fmt):
    src = None if PIPELINES[name].source == NONE else source
    size = (320, 320) if name == "productai_upscale" else (200, 136)
    out = engine.render(RenderRequest(name, src, PARAMS, size[0], size[1], fmt))
    assert out.data.startswith(MAGIC[fmt])
    assert fmt != "webp" or out.data[8:12] == b"WEBP"
    assert (out.media_type, out.format, out.width, out.height) == (MEDIA[fmt], fmt, *size)
    with Image.open(io.BytesIO(out.data)) as im:
        assert im.size == size
        assert im.format == {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}[fmt]


def test_natural_size_without_a_source(engine):
    out = engine.render(RenderRequest("image_generation", None, {"prompt": "lemonade"}, format="jpg"))
    assert (out.width, out.height) == (1024, 1024)


def test_ad_creative_without_a_source_and_with_text(engine, source):
    a = engine.render(RenderRequest("ad_creative", None, {"prompt": "lemonade"}, 128, 128)).data
    b = engine.render(RenderRequest("ad_creative", None, {"prompt": "lemonade", "headline": "Other"}, 128, 128)).data
    c = engine.render(RenderRequest("ad_creative", source, {"prompt": "lemonade"}, 128, 128)).data
    assert len({a, b, c}) == 3


def test_natural_size_follows_the_source(engine, source):
    out = engine.render(RenderRequest("remove_background", source))
    assert (out.width, out.height) == (160, 160)


@pytest.mark.parametrize("name", sorted(SERVER_NAMES - {"image_generation"}))
def test_variants_differ_and_repeat(engine, source, name):
    outs = [engine.render(RenderRequest(name, source, PARAMS, 96, 96, variant=v)).data for v in range(4)]
    assert len(set(outs)) == 4
    assert engine.render(RenderRequest(name, source, PARAMS, 96, 96, variant=2)).data == outs[2]


def test_image_generation_variants_and_prompts(engine):
    def render(**kw):
        return engine.render(RenderRequest("image_generation", None, kw.pop("params"), 96, 96, **kw)).data

    outs = {render(params={"prompt": "forest"}, variant=v) for v in range(4)}
    outs.add(render(params={"prompt": "ocean"}))
    outs.add(render(params={"prompt": "forest"}, seed=1))
    assert len(outs) == 6


@pytest.mark.parametrize("name", ["productai_generate", "productai_v1_generate", "productai_custom_model"])
def test_each_model_looks_different(engine, source, name):
    models = ["gpt-low", "gpt-high", "kontext-pro", "nanobanana", "nanobananapro", "seedream", "custom-owesa"]
    outs = {engine.render(RenderRequest(name, source, {"prompt": "x", "model": m}, 96, 96)).data for m in models}
    assert len(outs) == len(models)


def test_watermark_is_configurable(source, tmp_path):
    req = RenderRequest("marketplace_clean", source, {}, 128, 128)
    marked = decode(Engine(EngineConfig(cache_dir=tmp_path)).render(req).data)
    plain = decode(Engine(EngineConfig(cache_dir=tmp_path, watermark=False)).render(req).data)
    x0, y0, x1, y1 = watermark_box(128, 128)
    outside = np.ones((128, 128), bool)
    outside[y0:y1, x0:x1] = False
    assert np.array_equal(marked[outside], plain[outside])
    assert not np.array_equal(marked[y0:y1, x0:x1], plain[y0:y1, x0:x1])


@pytest.mark.parametrize(("w", "h"), [(16, 16), (64, 48), (1024, 576), (3000, 200)])
def test_watermark_box_is_inset_from_the_bottom_right(w, h):
    x0, y0, x1, y1 = watermark_box(w, h)
    assert 0 <= x0 < x1 < w and 0 <= y0 < y1 < h


def test_request_validation(engine, source):
    cases = [
        RenderRequest("no_such_pipeline", source),
        RenderRequest("remove_background", None),
        RenderRequest("remove_background", source, format="gif"),
        RenderRequest("remove_background", source, width=100),
        RenderRequest("remove_background", source, width=0, height=10),
        RenderRequest("remove_background", source, width=4097, height=4096),
    ]
    for request in cases:
        with pytest.raises(ValueError):
            engine.render(request)


def test_pixel_cap_is_configurable(source, tmp_path):
    small = Engine(EngineConfig(cache_dir=tmp_path, pixel_cap=100 * 100))
    with pytest.raises(ValueError, match="pixel cap"):
        small.render(RenderRequest("remove_background", source, {}, 101, 100))
    with pytest.raises(ValueError, match="pixel cap"):
        small.render(RenderRequest("productai_upscale", source, {"scale": 2}))
    assert small.render(RenderRequest("remove_background", source, {}, 100, 100)).width == 100


def test_jpeg_alias(engine, source):
    out = engine.render(RenderRequest("remove_background", source, {}, 64, 64, "JPEG"))
    assert out.format == "jpg" and out.media_type == "image/jpeg"
