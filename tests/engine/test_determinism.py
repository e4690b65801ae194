"""Same request, same bytes: across engines, processes, intra-op thread counts and threads."""

import hashlib
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sandbox.engine import PIPELINES, Engine, EngineConfig, RenderRequest, load_source
from sandbox.engine.pipelines import NONE

REPO = Path(__file__).resolve().parents[2]
URL = "https://shop.example/determinism.jpg"
PARAMS = {"prompt": "sunset", "model": "seedream", "scale": 2, "background_type": "color",
          "background_color": "#0af"}

RENDER_ALL = f"""
import hashlib, json, sys
from sandbox.engine import PIPELINES, Engine, EngineConfig, RenderRequest, load_source
from sandbox.engine.pipelines import NONE
engine = Engine(EngineConfig(cache_dir=None if sys.argv[1] == "-" else sys.argv[1], intra_op_threads=int(sys.argv[2])))
src = load_source({URL!r}, synthetic_size=192)
out = {{}}
for name, pipe in sorted(PIPELINES.items()):
    size = (None, None) if name == "productai_upscale" else (176, 144)
    req = RenderRequest(name, None if pipe.source == NONE else src, {PARAMS!r}, *size, "png", variant=1, seed=3)
    out[name] = hashlib.sha256(engine.render(req).data).hexdigest()
print(json.dumps(out))
"""


def render_all(engine: Engine) -> dict[str, str]:
    src = load_source(URL, synthetic_size=192)
    out = {}
    for name, pipe in sorted(PIPELINES.items()):
        size = (None, None) if name == "productai_upscale" else (176, 144)
        req = RenderRequest(name, None if pipe.source == NONE else src, PARAMS, *size, "png", variant=1, seed=3)
        out[name] = hashlib.sha256(engine.render(req).data).hexdigest()
    return out


@pytest.fixture(scope="module")
def reference(engine) -> dict[str, str]:
    return render_all(engine)


def test_repeat_in_one_engine(engine, reference):
    assert render_all(engine) == reference


def test_two_threads_give_the_same_bytes(reference, tmp_path):
    assert render_all(Engine(EngineConfig(cache_dir=tmp_path, intra_op_threads=2))) == reference


def test_another_process_gives_the_same_bytes(reference, tmp_path):
    out = subprocess.run([sys.executable, "-c", RENDER_ALL, str(tmp_path), "1"], cwd=REPO,
                         capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == reference


def test_concurrent_renders_share_sessions(engine, reference):
    src = load_source(URL, synthetic_size=192)
    names = ["remove_background", "natural_lifestyle", "product_photo_enhance", "studio_packshot"] * 3

    def one(name: str) -> tuple[str, str]:
        req = RenderRequest(name, src, PARAMS, 176, 144, "png", variant=1, seed=3)
        return name, hashlib.sha256(engine.render(req).data).hexdigest()

    with ThreadPoolExecutor(max_workers=4) as pool:
        for name, digest in pool.map(one, names):
            assert digest == reference[name]


def test_seed_changes_generated_results(engine):
    src = load_source(URL, synthetic_size=192)
    a, b = (engine.render(RenderRequest("natural_lifestyle", src, {}, 96, 96, seed=s)).data for s in (0, 1))
    assert a != b


@pytest.mark.parametrize("fmt", ["jpg", "webp"])
def test_lossy_encoders_are_deterministic(engine, tmp_path, fmt):
    src = load_source(URL, synthetic_size=192)
    req = RenderRequest("premium_ad", src, PARAMS, 160, 120, fmt)
    other = Engine(EngineConfig(cache_dir=tmp_path, intra_op_threads=2))
    assert engine.render(req).data == other.render(req).data
