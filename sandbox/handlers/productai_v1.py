"""ProductAI ``/v1`` (seed 003): 202 on create, flat job reads, asset uploads and presets."""

from __future__ import annotations

from sandbox import catalog
from sandbox.handlers import common
from sandbox.views.productai import v1_job


async def create_generation(body):
    sb = common.sandbox()
    job, _, _ = sb.create_job(common.surface(), "createGeneration", common.account(), body, base_url=common.base_url())
    return v1_job(sb, job, common.now(), common.base_url(), created=True), 202


async def get_job(job_id):
    sb = common.sandbox()
    job = sb.get_job(common.surface(), common.account(), job_id)
    return v1_job(sb, job, common.now(), common.base_url())


def upload_asset(body=None, file=None):
    """Sync on purpose: decoding an upload is CPU work, so it runs in the thread pool."""
    sb = common.sandbox()
    asset = sb.upload_asset(common.account(), file, common.base_url())
    return asset, 201


async def list_presets():
    return {"presets": [{"id": pid, **info} for pid, info in catalog.PRODUCTAI_V1_PRESETS.items()]}
