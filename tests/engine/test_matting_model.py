"""A configured u2net-style matting model, built here as a tiny ONNX graph."""

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from sandbox.engine import Engine, EngineConfig, RenderRequest, load_source

from .conftest import data_uri, decode, iou, product_image


def saliency_model(path, in_shape=(1, 3, 64, 64), out_shape=(1, 1, 64, 64), inputs=1):
    """Saliency = 1 - mean over channels: dark products on a light backdrop are salient."""
    nodes = [
        helper.make_node("ReduceMean", ["x", "axes"], ["m"], keepdims=1),
        helper.make_node("Sub", ["one", "m"], ["s"]),
        helper.make_node("Reshape", ["s", "shape"], ["y"]),
    ]
    inits = [
        helper.make_tensor("axes", TensorProto.INT64, [1], [1]),
        helper.make_tensor("one", TensorProto.FLOAT, [], [1.0]),
        helper.make_tensor("shape", TensorProto.INT64, [4], list(out_shape)),
    ]
    graph_inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(in_shape))]
    graph_inputs += [helper.make_tensor_value_info(f"extra{i}", TensorProto.FLOAT, [1]) for i in range(inputs - 1)]
    graph = helper.make_graph(nodes, "saliency", graph_inputs,
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(out_shape))], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=9)
    onnx.save(model, str(path))
    return path


def test_configured_model_produces_the_matte(tmp_path):
    path = saliency_model(tmp_path / "tiny.onnx")
    engine = Engine(EngineConfig(cache_dir=tmp_path, matting_model=path, matting_size=(64, 64)))
    rgb, mask = product_image("plain", (128, 128))
    src = load_source(data_uri(rgb))
    pixels = decode(engine.render(RenderRequest("remove_background", src, {}, 128, 128)).data)
    assert int(pixels[0, 0, 3]) == 0
    assert iou(pixels[:, :, 3] >= 128, mask >= 128) >= 0.8
    builtin = decode(Engine(EngineConfig(cache_dir=tmp_path)).render(RenderRequest("remove_background", src)).data)
    assert not np.array_equal(builtin, pixels)


def test_symbolic_dimensions_are_accepted(tmp_path):
    path = saliency_model(tmp_path / "dyn.onnx", in_shape=("N", 3, "H", "W"), out_shape=(1, 1, 64, 64))
    Engine(EngineConfig(matting_model=path, matting_size=(64, 64)))


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"in_shape": (1, 3, 32, 32), "out_shape": (1, 1, 32, 32)}, "expected [1, 3, 64, 64]"),
    ({"in_shape": (1, 4, 64, 64)}, "[1, 4, 64, 64]"),
    ({"out_shape": (1, 3, 64, 64), "in_shape": (1, 3, 64, 64)}, "expected [1, 1, 64, 64]"),
    ({"inputs": 2}, "2 inputs"),
])
def test_wrong_shapes_are_refused_at_creation(tmp_path, kwargs, fragment):
    path = saliency_model(tmp_path / "bad.onnx", **kwargs)
    with pytest.raises(ValueError) as info:
        Engine(EngineConfig(matting_model=path, matting_size=(64, 64)))
    assert str(path) in str(info.value) and fragment in str(info.value)


def test_unreadable_model_is_refused(tmp_path):
    path = tmp_path / "junk.onnx"
    path.write_bytes(b"this is not onnx")
    with pytest.raises(ValueError, match="junk.onnx"):
        Engine(EngineConfig(matting_model=path))
    with pytest.raises(ValueError, match="missing.onnx"):
        Engine(EngineConfig(matting_model=tmp_path / "missing.onnx"))
