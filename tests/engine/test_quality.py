"""Result quality on synthetic images whose product mask is known."""

import numpy as np
import pytest

from sandbox.engine import RenderRequest, load_source, watermark_box
from sandbox.engine.matte import builtin_alpha
from sandbox.engine.synthetic import product_photo

from .conftest import data_uri, decode, iou, product_image


@pytest.mark.parametrize("kind", ["plain", "gradient"])
def test_matte_iou(engine, kind):
    rgb, mask = product_image(kind)
    alpha = builtin_alpha(engine.runtime, rgb)
    assert iou(alpha >= 128, mask >= 128) >= 0.9


@pytest.mark.parametrize("kind", ["plain", "gradient"])
def test_matte_iou_at_reduced_working_size(engine, kind):
    rgb, mask = product_image(kind, (1000, 800))  # above WORK_PIXELS: the distance runs at half size
    alpha = builtin_alpha(engine.runtime, rgb)
    assert iou(alpha >= 128, mask >= 128) >= 0.9


def test_matte_on_busy_synthetic_photos(engine):
    scores = [iou(builtin_alpha(engine.runtime, np.array(rgb)) >= 128, mask >= 128)
              for rgb, mask in (product_photo(f"https://shop.example/{i}.jpg", 384) for i in range(4))]
    assert min(scores) >= 0.85


def _render(engine, pipeline, kind="plain", size=(256, 256), fmt="png", **params):
    rgb, _ = product_image(kind)
    src = load_source(data_uri(rgb))
    out = engine.render(RenderRequest(pipeline, src, params, size[0], size[1], fmt))
    return decode(out.data)


def _product_bbox(pixels):
    """Bbox of the blue/red product: strongly coloured pixels (the backdrop and shadow are neutral)."""
    p = pixels[:, :, :3].astype(int)
    coloured = (p.max(axis=2) - p.min(axis=2)) > 60
    ys, xs = np.nonzero(coloured)
    return xs.min(), ys.min(), xs.max() + 1, ys.max() + 1


@pytest.mark.parametrize("pipeline", ["studio_packshot", "marketplace_clean"])
@pytest.mark.parametrize("size", [(256, 256), (320, 240), (240, 320)])
def test_packshot_is_centred_and_fills_the_frame(engine, pipeline, size):
    pixels = _render(engine, pipeline, "gradient", size)
    assert pixels.shape[:2] == (size[1], size[0])
    x0, y0, x1, y1 = _product_bbox(pixels)
    w, h = size
    assert abs((x0 + x1) / 2 - w / 2) <= 0.02 * w
    assert abs((y0 + y1) / 2 - h / 2) <= 0.02 * h
    fill = max((x1 - x0) / w, (y1 - y0) / h)  # along the limiting side
    assert 0.80 <= fill <= 0.90
    if w == h:
        assert 0.80 <= max(x1 - x0, y1 - y0) / w <= 0.90


def test_marketplace_border_is_pure_white(engine):
    pixels = _render(engine, "marketplace_clean", "gradient", (320, 240))
    h, w = pixels.shape[:2]
    x0, y0, x1, y1 = watermark_box(w, h)
    outside = np.ones((h, w), bool)
    outside[y0:y1, x0:x1] = False
    border = np.zeros((h, w), bool)
    border[:3], border[-3:], border[:, :3], border[:, -3:] = True, True, True, True
    assert (pixels[border & outside] == 255).all()
    assert (pixels[y0:y1, x0:x1] != 255).any()  # the watermark is there


def test_transparent_corners(engine):
    pixels = _render(engine, "remove_background", "gradient")
    assert pixels.shape[2] == 4
    assert [int(pixels[y, x, 3]) for y, x in ((0, 0), (0, -1), (-1, 0), (-1, -1))] == [0, 0, 0, 0]
    assert int(pixels[150, 128, 3]) == 255  # the product body


@pytest.mark.parametrize(("color", "expected"), [
    ("#3366cc", (51, 102, 204)), ("#3a7", (51, 170, 119)), ("navy", (0, 0, 128)), ("rgb(1, 2, 3)", (1, 2, 3)),
])
def test_colour_background(engine, color, expected):
    pixels = _render(engine, "remove_background", background_type="color", background_color=color)
    assert pixels.shape[2] == 3
    assert tuple(int(v) for v in pixels[0, 0]) == expected
    assert tuple(int(v) for v in pixels[-1, 0]) == expected


@pytest.mark.parametrize("color", ["not-a-colour", "#12345", "", None, 42, "rgb(300, 0, 0)"])
def test_unparseable_colour_falls_back_to_white(engine, color):
    pixels = _render(engine, "remove_background", background_type="color", background_color=color)
    assert tuple(int(v) for v in pixels[0, 0]) == (255, 255, 255)


def test_white_background_and_unknown_type(engine):
    assert tuple(int(v) for v in _render(engine, "remove_background", background_type="white")[0, 0]) == (255, 255, 255)
    assert _render(engine, "remove_background", background_type="checkerboard").shape[2] == 4


def test_jpeg_of_a_cutout_is_flattened_on_white(engine):
    pixels = _render(engine, "remove_background", fmt="jpg")
    assert pixels.shape[2] == 3 and (pixels[:4, :4] >= 250).all()


def test_different_pipelines_differ(engine):
    rgb, _ = product_image("gradient")
    src = load_source(data_uri(rgb))
    outs = {name: engine.render(RenderRequest(name, src, {}, 192, 192)).data
            for name in ("product_photo_enhance", "studio_packshot", "marketplace_clean", "natural_lifestyle",
                         "premium_ad", "remove_background")}
    assert len(set(outs.values())) == len(outs)


@pytest.mark.parametrize("scale", [2, 4])
def test_upscale_is_exact(engine, scale):
    rgb, _ = product_image(size=(60, 44))
    src = load_source(data_uri(rgb))
    out = engine.render(RenderRequest("productai_upscale", src, {"scale": scale}))
    pixels = decode(out.data)
    assert (out.width, out.height) == (60 * scale, 44 * scale) == (pixels.shape[1], pixels.shape[0])
    # linear resize: a block mean of the result comes back close to the source
    back = pixels.reshape(44, scale, 60, scale, 3).mean(axis=(1, 3))
    assert np.abs(back[:30, :30] - rgb[:30, :30]).mean() < 6


def test_upscale_strips_match_a_single_pass(engine, monkeypatch):
    from sandbox.engine import enhance

    rgb, _ = product_image(size=(96, 80))
    whole = enhance.upscale(engine.runtime, rgb, 2, 0.5)
    monkeypatch.setattr(enhance, "UPSCALE_STRIP_PIXELS", 96 * 4 * 10)  # 10-row strips
    strips = enhance.upscale(engine.runtime, rgb, 2, 0.5)
    assert np.array_equal(whole, strips)


@pytest.mark.parametrize("scale", [3, "2", 1, True])
def test_upscale_rejects_other_factors(engine, scale):
    rgb, _ = product_image(size=(32, 32))
    with pytest.raises(ValueError):
        engine.render(RenderRequest("productai_upscale", load_source(data_uri(rgb)), {"scale": scale}))


def test_preservation_level_changes_strength(engine):
    rgb, _ = product_image("gradient")
    src = load_source(data_uri(rgb))
    outs = [engine.render(RenderRequest("product_photo_enhance", src, {"preservation_level": level}, 128, 128)).data
            for level in ("strict", "balanced", "creative")]
    assert len(set(outs)) == 3
    default = engine.render(RenderRequest("product_photo_enhance", src, {}, 128, 128)).data
    assert default == outs[0]  # the documented default is strict
    diffs = [np.abs(decode(o).astype(int) - rgb[::2, ::2].astype(int)).mean() for o in outs]
    assert diffs[0] < diffs[2]
