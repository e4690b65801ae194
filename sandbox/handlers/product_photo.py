"""AI Gen Studio Product Photo API (seeds 000 and 001 plus inferred presets and job reads)."""

from __future__ import annotations

from sandbox import catalog
from sandbox.handlers import common
from sandbox.views.aigenstudio import product_photo_job


def _job_body(job):
    return {"job": product_photo_job(common.sandbox(), job, common.now(), common.base_url()),
            "request_id": common.request_id()}


async def create_product_photo_job(body):
    sb, account = common.sandbox(), common.account()
    job, replayed, balance = sb.create_job(common.surface(), "createProductPhotoJob", account, body,
                                           common.header("Idempotency-Key"), common.base_url())
    out = {**_job_body(job), "remaining_paid_credits": balance}
    return (out, 200, {"Idempotent-Replayed": "true"}) if replayed else (out, 202)


async def list_product_photo_operations():
    operations = [{"id": op_id, **info} for op_id, info in catalog.PRODUCT_PHOTO_OPERATIONS.items()]
    return {"operations": operations, "request_id": common.request_id()}


async def list_product_photo_presets():
    presets = [{"id": preset_id, **info} for preset_id, info in catalog.PRODUCT_PHOTO_PRESETS.items()]
    return {"presets": presets, "request_id": common.request_id()}


async def list_product_photo_jobs(limit=20, cursor=None):
    sb = common.sandbox()
    jobs, more, next_cursor = sb.list_jobs(common.surface(), common.account(), limit, cursor)
    now, base = common.now(), common.base_url()
    return {"jobs": [product_photo_job(sb, j, now, base) for j in jobs], "has_more": more,
            "next_cursor": next_cursor, "request_id": common.request_id()}


async def get_product_photo_job(job_id):
    return _job_body(common.sandbox().get_job(common.surface(), common.account(), job_id))


async def cancel_product_photo_job(job_id):
    return _job_body(common.sandbox().cancel_job(common.surface(), common.account(), job_id))
