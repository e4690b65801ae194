"""AI Gen Studio job bodies: the seed's summary plus ``results`` (Image API) or ``items`` (Product Photo)."""

from __future__ import annotations

from sandbox.catalog import VOCABULARY
from sandbox.clock import iso
from sandbox.results import declared, file_url

STATUS = VOCABULARY["aigenstudio"]


def _result(sandbox, job, item, variant, now, base_url) -> dict:
    phase = job.item_phase(item, now)
    result = {"input_index": item.index, "variant": variant, "external_id": item.external_id,
              "status": STATUS[phase], "error": None}
    if phase == "completed":
        info = declared(sandbox, job, item, variant)
        result.update(url=file_url(base_url, info["file"]), format=info["format"],
                      width=info["width"], height=info["height"])
    elif phase == "failed":
        result["error"] = {"code": item.failure, "message": _FAILURES.get(item.failure, "The item failed.")}
    return result


_FAILURES = {
    "image_unreachable": "The source image could not be fetched.",
    "processing_failed": "The image could not be processed.",
    "invalid_image": "The source image could not be decoded.",
}


def _times(job, now) -> dict:
    finished = job.finished_at(now)
    return {"created_at": iso(job.created_at), "updated_at": iso(job.updated_at(now)),
            "completed_at": iso(finished) if finished is not None else None}


def image_job(sandbox, job, now, base_url) -> dict:
    done, failed = job.counts(now)
    return {
        "id": job.id, "api": job.kind, "status": STATUS[job.phase(now)], "sandbox": job.sandbox,
        "total_results": job.total_results, "completed_results": done, "failed_results": failed,
        "credits_reserved": job.credits, **_times(job, now),
        "results": [_result(sandbox, job, item, v, now, base_url) for item in job.items for v in range(item.outputs)],
    }


def product_photo_job(sandbox, job, now, base_url) -> dict:
    params = job.extra.get("params", {})
    phase = job.phase(now)
    items = []
    for item in job.items:
        item_phase = job.item_phase(item, now)
        result = _result(sandbox, job, item, 0, now, base_url)
        items.append({"index": item.index, "source_url": item.source_url, "external_id": item.external_id,
                      "status": STATUS[item_phase], "error": result.pop("error"),
                      "results": [result] if item_phase == "completed" else []})
    failed = sum(1 for i in items if i["status"] == "failed")
    completed = sum(1 for i in items if i["status"] == "completed")
    return {
        "id": job.id, "status": STATUS[phase], "total_items": len(job.items), "credits_reserved": job.credits,
        "sandbox": job.sandbox, "operation": job.kind, "preset": params.get("preset"),
        "preservation_level": params.get("preservation_level"), **_times(job, now),
        "completed_items": completed, "failed_items": failed, "items": items,
    }
