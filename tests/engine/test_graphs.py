import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest

from sandbox.engine import Engine, EngineConfig, default_cache_dir
from sandbox.engine.cache import GraphCache
from sandbox.engine.graphs import GRAPHS, OPSET
from sandbox.engine.scene import SCENE_BLOBS
from sandbox.engine.session import Runtime

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_graph_passes_full_check(name):
    model = GRAPHS[name]()
    onnx.checker.check_model(model, full_check=True)
    assert [o.version for o in model.opset_import if o.domain == ""] == [OPSET]


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_graph_serialization_is_stable(name):
    assert GRAPHS[name]().SerializeToString() == GRAPHS[name]().SerializeToString()


def test_import_does_not_load_onnxruntime():
    code = ("import sys; import sandbox.engine as e; "
            "e.output_size('16:9', '2K'); e.load_source('https://shop.example/x.jpg'); "
            "print(sorted(m for m in ('onnxruntime', 'onnx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_engine_creation_does_not_load_onnxruntime():
    code = "import sys; from sandbox.engine import Engine; Engine(); print('onnxruntime' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_cache_files_are_keyed_by_sha256(tmp_path):
    cache = GraphCache(tmp_path)
    blob = cache.model_bytes("matte")
    key = hashlib.sha256(blob).hexdigest()
    path = tmp_path / f"matte-{key}.onnx"
    assert path.read_bytes() == blob
    mtime = path.stat().st_mtime_ns
    assert GraphCache(tmp_path).model_bytes("matte") == blob
    assert path.stat().st_mtime_ns == mtime  # a hit does not rewrite


def test_cache_rebuilds_when_the_definition_changes(tmp_path, monkeypatch):
    cache = GraphCache(tmp_path)
    old = cache.model_bytes("grade")

    def changed():
        model = GRAPHS_ORIGINAL["grade"]()
        model.graph.doc_string = "a changed definition"
        return model

    GRAPHS_ORIGINAL = dict(GRAPHS)
    monkeypatch.setitem(GRAPHS, "grade", changed)
    new = cache.model_bytes("grade")
    assert new != old
    names = sorted(p.name for p in tmp_path.glob("grade-*.onnx"))
    assert names == sorted(f"grade-{hashlib.sha256(b).hexdigest()}.onnx" for b in (old, new))


def test_corrupt_cache_file_is_replaced(tmp_path):
    blob = GraphCache(tmp_path).model_bytes("composite")
    path = tmp_path / f"composite-{hashlib.sha256(blob).hexdigest()}.onnx"
    path.write_bytes(b"garbage")
    assert GraphCache(tmp_path).model_bytes("composite") == blob
    assert path.read_bytes() == blob


def test_unwritable_cache_still_works(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert GraphCache(blocker / "onnx").model_bytes("matte")


def test_cache_dir_env(monkeypatch, tmp_path):
    monkeypatch.setenv("DARKROOM_CACHE_DIR", str(tmp_path / "x"))
    assert default_cache_dir() == tmp_path / "x"
    assert EngineConfig().resolved_cache_dir() == tmp_path / "x"
    monkeypatch.delenv("DARKROOM_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "darkroom" / "onnx"


def test_sessions_are_created_once(engine):
    runtime = engine.runtime
    assert runtime is engine.runtime
    assert runtime.session("matte") is runtime.session("matte")


def _feeds(n: int) -> dict[str, dict[str, np.ndarray]]:
    gen = np.random.default_rng(7)
    img = gen.integers(0, 256, (n, n, 3), dtype=np.uint8)
    f32 = np.float32
    return {
        "matte": {"image": img, "work": np.array([1, n // 2, n // 2, 3], np.int64),
                  "full": np.array([1, 1, n, n], np.int64), "col": gen.random((3, 1, n // 2), f32) * 200,
                  "row": gen.random((3, n // 2, 1), f32) * 20, "params": np.array([40, 0.3], f32)},
        "composite": {"fg": img, "alpha": img[:, :, 1].copy(), "bg": img[::-1].copy(), "shadow": img[:, :, 2].copy(),
                      "shadow_strength": np.array([0.4], f32)},
        "enhance": {"image": img, "black": np.array([12], f32), "gain": np.array([1.1, 1.0, 0.93], f32),
                    "amount": np.array([0.7], f32)},
        "grade": {"image": img, "matrix": (np.eye(3) * 1.1 + gen.random((3, 3)) * 0.1).astype(f32),
                  "offset": np.array([3, 1, -2], f32), "vy": gen.random((n, 1), f32),
                  "vx": gen.random((1, n), f32)},
        "scene": {"yy": gen.random((n, 1, 1), f32), "xx": gen.random((1, n, 1), f32),
                  "palette": gen.random((5, 3), f32), "blobs": gen.random((SCENE_BLOBS, 4), f32) * 0.3,
                  "blob_colors": gen.random((SCENE_BLOBS, 3), f32),
                  "params": np.array([0.6, 0.02, 0.3, 0.2, 0.4, 0.5], f32),
                  "grain": gen.normal(0, 0.03, (n, n, 1)).astype(f32)},
        "upscale": {"image": img[: n // 2, : n // 2].copy(), "sizes": np.array([1, 3, n, n], np.int64),
                    "amount": np.array([0.5], f32)},
    }


def test_graphs_are_thread_count_invariant():
    """Each graph on a 512^2 random image gives identical bytes with 1 and 2 intra-op threads."""
    one, two = Runtime(GraphCache(None), 1), Runtime(GraphCache(None), 2)
    for name, feeds in _feeds(512).items():
        a, b = one.run(name, feeds), two.run(name, feeds)
        assert a.dtype == np.uint8
        assert np.array_equal(a, b), name


def test_cache_dir_default_is_per_user(monkeypatch):
    monkeypatch.delenv("DARKROOM_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert default_cache_dir() == Path(os.path.expanduser("~")) / ".cache" / "darkroom" / "onnx"
    assert Engine().config.cache_dir is None


@pytest.mark.parametrize("name", ["composite", "enhance", "grade"])
def test_strips_match_a_single_run(name, monkeypatch):
    from sandbox.engine import strips

    runtime = Runtime(GraphCache(None), 1)
    feeds = _feeds(96)[name]
    whole = strips.run_rows(runtime, name, feeds, 96, halo=4)
    monkeypatch.setattr(strips, "STRIP_PIXELS", 96 * 10)
    assert np.array_equal(strips.run_rows(runtime, name, feeds, 96, halo=4), whole)
