"""ProductAI bodies: ``/api`` jobs inside ``{"status": "OK", "data": ...}``, and v1's flat jobs."""

from __future__ import annotations

from sandbox.catalog import VOCABULARY
from sandbox.clock import iso
from sandbox.results import declared, file_url

API = VOCABULARY["productai"]
V1 = VOCABULARY["productai_v1"]


def api_job(sandbox, job, now, base_url) -> dict:
    phase = job.phase(now)
    data = {"id": int(job.id), "status": API[phase]}
    if "prompt" in job.params:
        data["prompt"] = job.params["prompt"]
    if API[phase] == "COMPLETED":
        info = declared(sandbox, job, job.items[0], 0)
        data["image_url"] = file_url(base_url, info["file"])
    return data


def v1_job(sandbox, job, now, base_url, *, created: bool = False) -> dict:
    phase = job.phase(now)
    body = {
        "job_id": job.id, "status": V1[phase], "created_at": iso(job.created_at),
        "estimated_time_seconds": int(round(job.queued_s + job.processing_s)), "model": job.kind,
        "num_images": job.params.get("num_images", 1),
    }
    if created:
        return body
    item = job.items[0]
    images = []
    if V1[phase] == "completed":
        for variant in range(item.outputs):
            info = declared(sandbox, job, item, variant)
            images.append({"url": file_url(base_url, info["file"]), "width": info["width"],
                           "height": info["height"], "format": info["format"]})
    finished = job.finished_at(now)
    body.update({k: job.params[k] for k in ("prompt", "image_url", "asset_id", "preset_id", "webhook_url")
                 if k in job.params})
    body["aspect_ratio"] = job.params.get("aspect_ratio", "1:1")
    body["images"] = images
    body["completed_at"] = iso(finished) if finished is not None else None
    body["error"] = None
    if V1[phase] == "failed":
        reason = "cancelled" if phase == "cancelled" else (item.failure or "processing_failed")
        body["error"] = {"code": reason, "message": "The generation failed."}
    return body
