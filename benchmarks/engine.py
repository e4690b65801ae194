"""Image engine benchmark: every pipeline at 1024^2 and 2048^2, one intra-op thread.

For each: decode ms (the JPEG source), graph ms (time inside onnxruntime), end-to-end ms (decode +
every step + watermark + PNG encode), and peak RSS growth during the first render at that size (onnxruntime's
arena keeps what it grows, so later renders of that size reuse it). Timings are the best of a few
warm runs. ``productai_upscale`` takes a source of half the size and returns the size shown.

    python benchmarks/engine.py [--threads N] [--sizes 1024,2048] [--budget SECONDS]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from sandbox.engine import PIPELINES, Engine, EngineConfig, RenderRequest, load_source  # noqa: E402
from sandbox.engine.pipelines import NONE  # noqa: E402
from sandbox.engine.synthetic import product_photo  # noqa: E402

TARGETS = {("remove_background", 1024): (15.0, 60.0)}  # graph ms, end-to-end ms on one thread
PARAMS = {"prompt": "a bottle on a marble table, soft light", "model": "nanobanana", "headline": "New in",
          "cta": "Shop", "scale": 2}


def rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class PeakRSS:
    """Samples RSS every millisecond in a thread; ``growth`` is peak minus the value at start."""

    def __enter__(self) -> PeakRSS:
        self.start = self.peak = rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.001):
            self.peak = max(self.peak, rss_bytes())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())
        self.growth = self.peak - self.start


def jpeg_source(side: int) -> bytes:
    rgb, _ = product_photo("https://shop.example/benchmark.jpg")
    buf = io.BytesIO()
    Image.fromarray(np.asarray(rgb)).resize((side, side), Image.Resampling.BICUBIC).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--sizes", default="1024,2048")
    parser.add_argument("--budget", type=float, default=100.0, help="stop starting new rows after this many seconds")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    began = time.perf_counter()

    with tempfile.TemporaryDirectory() as cache:
        engine = Engine(EngineConfig(cache_dir=Path(cache), intra_op_threads=args.threads))
        engine.warm_up()
        runtime = engine.runtime
        graph_time = [0.0]
        run = runtime.run

        def timed_run(name, feeds):  # noqa: ANN001, ANN202
            t0 = time.perf_counter()
            try:
                return run(name, feeds)
            finally:
                graph_time[0] += time.perf_counter() - t0

        runtime.run = timed_run
        sources = {side: jpeg_source(side) for side in sizes + [s // 2 for s in sizes]}
        print(f"darkroom engine benchmark: intra_op_threads={args.threads}, cpu count {os.cpu_count()}, "
              f"PNG output, JPEG q90 source")
        print(f"load average {os.getloadavg()[0]:.1f} at start")
        print(f"{'pipeline':<24}{'size':>6}{'decode ms':>10}{'graph ms':>10}{'e2e ms':>9}{'peak MB':>9}  target")
        skipped = []
        for side in sizes:
            for name, pipeline in PIPELINES.items():
                if time.perf_counter() - began > args.budget:
                    skipped.append(f"{name}@{side}")
                    continue
                upscale = name == "productai_upscale"
                blob = sources[side // 2 if upscale else side]
                size = (None, None) if upscale else (side, side)

                def render(blob=blob, pipeline=pipeline, name=name, size=size):  # noqa: ANN001, ANN202
                    graph_time[0] = 0.0
                    t0 = time.perf_counter()
                    src = None if pipeline.source == NONE else load_source("bench", assets={"bench": blob})
                    t1 = time.perf_counter()
                    out = engine.render(RenderRequest(name, src, PARAMS, *size, "png"))
                    return time.perf_counter() - t0, graph_time[0], out, t1 - t0

                with PeakRSS() as mem:
                    render()
                runs = [render() for _ in range(3 if side <= 1024 else 2)]
                e2e = min(r[0] for r in runs) * 1000
                graph = min(r[1] for r in runs) * 1000
                decode = min(r[3] for r in runs) * 1000
                out = runs[0][2]
                assert (out.width, out.height) == (side, side)
                target = TARGETS.get((name, side))
                note = ""
                if target:
                    ok = graph <= target[0] and e2e <= target[1]
                    note = (f"graph <= {target[0]:.0f} ms, e2e <= {target[1]:.0f} ms: "
                            f"{'met' if ok else 'NOT met'}")
                print(f"{name:<24}{side:>6}{decode:>10.1f}{graph:>10.1f}{e2e:>9.1f}{mem.growth / 2**20:>9.1f}  {note}",
                      flush=True)
        if skipped:
            print(f"skipped (time budget {args.budget:.0f} s): {', '.join(skipped)}")
    print(f"total {time.perf_counter() - began:.1f} s, load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
