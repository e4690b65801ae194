"""Result files: each job result gets a stable, content-addressed URL under ``/_sandbox/files``.

The URL and its declared size/format are fixed when a job is created; the bytes are rendered
lazily on first download (see :mod:`sandbox.files`), so big jobs are never rendered up front.
"""

from __future__ import annotations

import hashlib

from sandbox.jobs import Item, Job

EXTENSIONS = {"png": "png", "jpg": "jpg", "webp": "webp"}


def file_key(job: Job, item: Item, variant: int) -> str:
    return hashlib.sha256(f"{job.namespace}:{job.id}:{item.index}:{variant}".encode()).hexdigest()[:32]


def declared(sandbox, job: Job, item: Item, variant: int) -> dict:
    """What the job says about one result: its file name, format and pixel size."""
    extra = job.extra
    size = extra.get("size")
    if size is None:  # follows the source image (upscale)
        width, height = sandbox.source_size(item.source_url)
        size = (width * extra.get("scale", 1), height * extra.get("scale", 1))
    fmt = extra.get("format", "png")
    key = file_key(job, item, variant)
    if sandbox.store.get_file(key) is None:
        sandbox.store.put_file(key, {
            "pipeline": extra.get("pipeline"), "params": extra.get("params", {}), "source_url": item.source_url,
            "format": fmt, "width": size[0], "height": size[1], "variant": variant,
            "seed": sandbox.ids.seed, "job": job.id, "kind": job.kind,
        })
    return {"file": f"{key}.{EXTENSIONS[fmt]}", "format": fmt, "width": int(size[0]), "height": int(size[1])}


def file_url(base_url: str, name: str) -> str:
    return f"{base_url}/_sandbox/files/{name}"
