"""ProductAI ``/api/*`` (seed 002): ``{"status": "OK", "data": ...}`` envelopes, numeric job ids."""

from __future__ import annotations

from sandbox.handlers import common
from sandbox.views.productai import api_job


def _create(operation_id: str, body: dict):
    sb = common.sandbox()
    job, _, _ = sb.create_job(common.surface(), operation_id, common.account(), body, base_url=common.base_url())
    return {"status": "OK", "data": api_job(sb, job, common.now(), common.base_url())}


async def generate(body):
    return _create("generate", body)


async def upscale(body):
    return _create("upscale", body)


async def generate_custom_model(body):
    return _create("generateCustomModel", body)


async def get_job(job_id):
    sb = common.sandbox()
    job = sb.get_job(common.surface(), common.account(), str(job_id))
    return {"status": "OK", "data": api_job(sb, job, common.now(), common.base_url())}


async def key_check():
    sb, account = common.sandbox(), common.account()
    return {"status": "OK", "data": {"valid": True, "tokens_remaining": sb.balance(account, common.surface()),
                                     "plan": account.plan}}
