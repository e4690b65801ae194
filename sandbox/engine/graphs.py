"""The ONNX graphs, built with ``onnx.helper`` at a fixed opset.

Images cross graph boundaries as uint8 HxWxC (the decode/encode format) so conversions happen inside
ORT; scalar knobs are graph inputs, so one graph serves every size and parameter set. Global
statistics (border colour profiles, percentiles, channel means) are computed by the caller in numpy
on small arrays and fed in: the graphs are then purely elementwise, broadcast, Resize or Conv, which
onnxruntime computes identically for any intra-op thread count (tested). Imported only when the
first render happens; ``onnx`` costs ~0.1 s to import.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .scene import SCENE_BLOBS

OPSET = 18
IR_VERSION = 9  # the IR of opset 18; pinned so the serialized bytes do not follow onnx releases
U8, F32, I64 = TensorProto.UINT8, TensorProto.FLOAT, TensorProto.INT64

# Separable 5-tap Gaussian (sigma 1) used by every sharpen: blur, then x + amount * (x - blur).
_GAUSS5 = np.array([1, 4, 6, 4, 1], dtype=np.float32) / 16.0


class GraphBuilder:
    """A thin layer over ``onnx.helper`` with deterministic node and tensor names."""

    def __init__(self, name: str, doc: str) -> None:
        self.name, self.doc = name, doc
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.inputs: list[onnx.ValueInfoProto] = []
        self.outputs: list[onnx.ValueInfoProto] = []
        self._count = 0

    def _next(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}_{self._count}"

    def input(self, name: str, elem: int, shape: list) -> str:
        self.inputs.append(helper.make_tensor_value_info(name, elem, shape))
        return name

    def const(self, value: object, dtype: type = np.float32) -> str:
        name = self._next("const")
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def op(self, op_type: str, *inputs: str, **attrs: object) -> str:
        out = self._next(op_type.lower())
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], name=self._next("node"), **attrs))
        return out

    def output(self, value: str, name: str, elem: int, shape: list) -> None:
        self.nodes.append(helper.make_node("Identity", [value], [name], name=self._next("node")))
        self.outputs.append(helper.make_tensor_value_info(name, elem, shape))

    def build(self) -> onnx.ModelProto:
        graph = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs, self.inits, doc_string=self.doc)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name="darkroom", ir_version=IR_VERSION)
        return model

    # -- recurring fragments -------------------------------------------------------------------
    def to_u8(self, x: str) -> str:
        """Round half up and saturate a float image in 0..255 (Cast alone would truncate)."""
        clipped = self.op("Clip", self.op("Add", x, self.const(0.5)), self.const(0.0), self.const(255.0))
        return self.op("Cast", clipped, to=U8)

    def planar(self, x: str) -> str:
        """HxWxC -> CxHxW. Per-channel and per-pixel broadcasts are fast in planar layout; against
        an interleaved innermost axis of 3, onnxruntime's broadcast loop runs 5-10x slower."""
        return self.op("Transpose", x, perm=[2, 0, 1])

    def interleaved(self, x: str) -> str:
        return self.op("Transpose", x, perm=[1, 2, 0])

    def hwc_to_nchw(self, x: str) -> str:
        return self.op("Unsqueeze", self.op("Transpose", x, perm=[2, 0, 1]), self.const([0], np.int64))

    def nchw_to_hwc(self, x: str) -> str:
        return self.op("Transpose", self.op("Squeeze", x, self.const([0], np.int64)), perm=[1, 2, 0])

    def blur(self, x: str, channels: int = 3) -> str:
        """Separable Gaussian on NCHW with edge padding (zero padding would darken the border)."""
        pads = self.const([0, 0, 2, 2, 0, 0, 2, 2], np.int64)
        padded = self.op("Pad", x, pads, mode="edge")
        kx = self.const(np.tile(_GAUSS5.reshape(1, 1, 1, 5), (channels, 1, 1, 1)))
        ky = self.const(np.tile(_GAUSS5.reshape(1, 1, 5, 1), (channels, 1, 1, 1)))
        return self.op("Conv", self.op("Conv", padded, kx, group=channels), ky, group=channels)

    def sharpen(self, x: str, amount: str) -> str:
        """Unsharp mask on NCHW: x + amount * (x - blur(x))."""
        return self.op("Add", x, self.op("Mul", amount, self.op("Sub", x, self.blur(x))))


def matte() -> onnx.ModelProto:
    """Alpha from the colour distance to a separable background model bg(y, x) = col[x] + row[y].

    The distance is computed at a working size (``work``, NHWC uint8 linear Resize: an exact 2x2 mean
    at half size; ``antialias=1`` would cost more than the rest of the graph) and the pre-scaled
    logit is resized back to ``full``: at 1024^2 this halves the cost, and interpolating the logit
    rather than the alpha keeps a crisp, smooth edge.
    """
    g = GraphBuilder("matte", "alpha = sigmoid(k * (|rgb - bg| - t)); bg estimated from the border bands")
    image = g.input("image", U8, ["H", "W", 3])
    work = g.input("work", I64, [4])  # [1, h, w, 3]
    full = g.input("full", I64, [4])  # [1, 1, H, W]
    col = g.input("col", F32, [3, 1, "w"])
    row = g.input("row", F32, [3, "h", 1])
    params = g.input("params", F32, [2])  # threshold t, slope k (0..255 distance units)
    t = g.op("Slice", params, g.const([0], np.int64), g.const([1], np.int64))
    k = g.op("Slice", params, g.const([1], np.int64), g.const([2], np.int64))
    small = g.op("Resize", g.op("Unsqueeze", image, g.const([0], np.int64)), "", "", work, mode="linear",
                 coordinate_transformation_mode="half_pixel")
    x = g.op("Transpose", g.op("Cast", g.op("Squeeze", small, g.const([0], np.int64)), to=F32), perm=[2, 0, 1])
    diff = g.op("Sub", g.op("Sub", x, col), row)
    dist = g.op("Sqrt", g.op("ReduceSum", g.op("Mul", diff, diff), g.const([0], np.int64), keepdims=1))
    logit = g.op("Unsqueeze", g.op("Mul", g.op("Sub", dist, t), k), g.const([0], np.int64))
    # morphological opening (3x3 min then max) removes isolated specks of a busy backdrop
    eroded = g.op("Neg", g.op("MaxPool", g.op("Neg", logit), kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
    logit = g.op("MaxPool", eroded, kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    logit = g.op("Resize", logit, "", "", full, mode="linear", coordinate_transformation_mode="half_pixel")
    alpha = g.op("Add", g.op("Mul", g.op("Sigmoid", logit), g.const(255.0)), g.const(0.5))
    alpha = g.op("Reshape", g.op("Cast", alpha, to=U8),
                 g.op("Slice", g.op("Shape", image), g.const([0], np.int64), g.const([2], np.int64)))
    g.output(alpha, "alpha", U8, ["H", "W"])
    return g.build()


def composite() -> onnx.ModelProto:
    """fg over a (shadowed) background: bg' = bg * (1 - s * shadow); out = bg' + a * (fg - bg')."""
    g = GraphBuilder("composite", "alpha-composite a foreground over a background darkened by a shadow")
    fg = g.input("fg", U8, ["H", "W", 3])
    alpha = g.input("alpha", U8, ["H", "W"])
    bg = g.input("bg", U8, ["BH", "BW", 3])  # full size, or 1x1 for a flat colour
    shadow = g.input("shadow", U8, ["SH", "SW"])  # full size, or 1x1 zero for none
    strength = g.input("shadow_strength", F32, [1])
    inv255 = g.const(1.0 / 255.0)
    a = g.op("Unsqueeze", g.op("Mul", g.op("Cast", alpha, to=F32), inv255), g.const([0], np.int64))
    sh = g.op("Unsqueeze", g.op("Mul", g.op("Cast", shadow, to=F32), inv255), g.const([0], np.int64))
    keep = g.op("Sub", g.const(1.0), g.op("Mul", sh, strength))
    back = g.op("Mul", g.op("Cast", g.planar(bg), to=F32), keep)
    front = g.op("Cast", g.planar(fg), to=F32)  # transpose the bytes, not the floats
    out = g.op("Add", back, g.op("Mul", a, g.op("Sub", front, back)))
    g.output(g.interleaved(g.to_u8(out)), "out", U8, ["H", "W", 3])
    return g.build()


def enhance() -> onnx.ModelProto:
    """Levels + grey-world gains as one per-channel affine map, then an unsharp mask."""
    g = GraphBuilder("enhance", "out = sharpen((x - black) * gain, amount)")
    image = g.input("image", U8, ["H", "W", 3])
    black = g.input("black", F32, [1])
    gain = g.input("gain", F32, [3])  # grey-world gain * 255 / (white - black), per channel
    amount = g.input("amount", F32, [1])
    x = g.op("Unsqueeze", g.op("Cast", g.planar(image), to=F32), g.const([0], np.int64))
    # (x - black) * gain as a 1x1 Conv: weight diag(gain), bias -black * gain
    weight = g.op("Reshape", g.op("Mul", g.const(np.eye(3, dtype=np.float32)), gain), g.const([3, 3, 1, 1], np.int64))
    x = g.op("Conv", x, weight, g.op("Neg", g.op("Mul", gain, black)))
    x = g.op("Clip", x, g.const(0.0), g.const(255.0))
    out = g.op("Squeeze", g.sharpen(x, amount), g.const([0], np.int64))
    g.output(g.interleaved(g.to_u8(out)), "out", U8, ["H", "W", 3])
    return g.build()


def grade() -> onnx.ModelProto:
    """Creative colour grade: a 3x3 colour matrix plus offset (saturation and tint fold into it),
    as a 1x1 Conv, then a separable vignette."""
    g = GraphBuilder("grade", "out = (matrix @ rgb + offset) * vy * vx")
    image = g.input("image", U8, ["H", "W", 3])
    matrix = g.input("matrix", F32, [3, 3])
    offset = g.input("offset", F32, [3])
    vy = g.input("vy", F32, ["H", 1])
    vx = g.input("vx", F32, [1, "W"])
    x = g.hwc_to_nchw(g.op("Cast", image, to=F32))
    x = g.op("Conv", x, g.op("Reshape", matrix, g.const([3, 3, 1, 1], np.int64)), offset)
    x = g.op("Mul", g.op("Squeeze", x, g.const([0], np.int64)), g.op("Mul", vy, vx))
    g.output(g.interleaved(g.to_u8(x)), "out", U8, ["H", "W", 3])
    return g.build()


def scene() -> onnx.ModelProto:
    """Procedural backdrop: wall and floor gradients, a key light, soft bokeh and grain, at a small
    working size (the caller resizes it; a backdrop is smooth by construction)."""
    g = GraphBuilder("scene", "wall/floor gradients + key light + bokeh at the working size")
    yy = g.input("yy", F32, ["h", 1, 1])  # 0..1 down the frame
    xx = g.input("xx", F32, [1, "w", 1])  # 0..1 across the frame
    palette = g.input("palette", F32, [5, 3])  # wall top, wall bottom, floor far, floor near, light
    blobs = g.input("blobs", F32, [SCENE_BLOBS, 4])  # cx, cy, radius, strength
    blob_colors = g.input("blob_colors", F32, [SCENE_BLOBS, 3])
    params = g.input("params", F32, [6])  # horizon, horizon softness, light x, light y, light radius, light gain
    grain = g.input("grain", F32, ["h", "w", 1])

    def pick(tensor: str, index: int, axis: int = 0) -> str:
        return g.op("Gather", tensor, g.const(index, np.int64), axis=axis)

    def p(i: int) -> str:
        return g.op("Slice", params, g.const([i], np.int64), g.const([i + 1], np.int64))

    wall = g.op("Add", pick(palette, 0), g.op("Mul", yy, g.op("Sub", pick(palette, 1), pick(palette, 0))))
    horizon = p(0)
    depth = g.op("Div", g.op("Sub", yy, horizon), g.op("Sub", g.const(1.0), horizon))
    depth = g.op("Clip", depth, g.const(0.0), g.const(1.0))
    floor = g.op("Add", pick(palette, 2), g.op("Mul", depth, g.op("Sub", pick(palette, 3), pick(palette, 2))))
    on_floor = g.op("Sigmoid", g.op("Div", g.op("Sub", yy, horizon), p(1)))
    base = g.op("Add", wall, g.op("Mul", on_floor, g.op("Sub", floor, wall)))
    dx, dy = g.op("Sub", xx, p(2)), g.op("Sub", yy, p(3))
    r2 = g.op("Add", g.op("Mul", dx, dx), g.op("Mul", dy, dy))
    light = g.op("Exp", g.op("Neg", g.op("Div", r2, g.op("Mul", p(4), p(4)))))
    light = g.op("Mul", light, p(5))
    base = g.op("Add", base, g.op("Mul", light, g.op("Sub", pick(palette, 4), base)))
    # bokeh: soft discs stacked on a leading blob axis, summed (6 terms, fixed order)
    bx = g.op("Reshape", g.op("Slice", blobs, g.const([0], np.int64), g.const([1], np.int64), g.const([1], np.int64)),
              g.const([SCENE_BLOBS, 1, 1, 1], np.int64))
    by = g.op("Reshape", g.op("Slice", blobs, g.const([1], np.int64), g.const([2], np.int64), g.const([1], np.int64)),
              g.const([SCENE_BLOBS, 1, 1, 1], np.int64))
    br = g.op("Reshape", g.op("Slice", blobs, g.const([2], np.int64), g.const([3], np.int64), g.const([1], np.int64)),
              g.const([SCENE_BLOBS, 1, 1, 1], np.int64))
    bs = g.op("Reshape", g.op("Slice", blobs, g.const([3], np.int64), g.const([4], np.int64), g.const([1], np.int64)),
              g.const([SCENE_BLOBS, 1, 1, 1], np.int64))
    ddx, ddy = g.op("Sub", xx, bx), g.op("Sub", yy, by)
    dist = g.op("Sqrt", g.op("Add", g.op("Mul", ddx, ddx), g.op("Mul", ddy, ddy)))
    disc = g.op("Mul", g.op("Sigmoid", g.op("Mul", g.op("Sub", br, dist), g.const(60.0))), bs)
    colors = g.op("Reshape", blob_colors, g.const([SCENE_BLOBS, 1, 1, 3], np.int64))
    base = g.op("Add", base, g.op("ReduceSum", g.op("Mul", disc, g.op("Sub", colors, base)),
                                  g.const([0], np.int64), keepdims=0))
    base = g.op("Mul", base, g.op("Add", g.const(1.0), grain))
    g.output(g.to_u8(g.op("Mul", base, g.const(255.0))), "out", U8, ["h", "w", 3])
    return g.build()


def upscale() -> onnx.ModelProto:
    """Linear Resize to `sizes` then an unsharp mask (ORT's cubic Resize is slow and overshoots)."""
    g = GraphBuilder("upscale", "sharpen(resize_linear(x, sizes), amount)")
    image = g.input("image", U8, ["h", "w", 3])
    sizes = g.input("sizes", I64, [4])
    amount = g.input("amount", F32, [1])
    x = g.hwc_to_nchw(g.op("Cast", image, to=F32))
    x = g.op("Resize", x, "", "", sizes, mode="linear", coordinate_transformation_mode="half_pixel")
    g.output(g.to_u8(g.nchw_to_hwc(g.sharpen(x, amount))), "out", U8, ["H", "W", 3])
    return g.build()


GRAPHS: dict[str, Callable[[], onnx.ModelProto]] = {
    "matte": matte,
    "composite": composite,
    "enhance": enhance,
    "grade": grade,
    "scene": scene,
    "upscale": upscale,
}

# Graphs whose result depends on the intra-op thread count get a one-thread session. None does
# today (every graph is elementwise/Resize/Conv; the cross-thread test pins this); keep the hook.
SINGLE_THREAD: frozenset[str] = frozenset()
