"""AI Gen Studio Image API (seed 004 plus inferred tools, jobs and catalog)."""

from __future__ import annotations

from sandbox import catalog
from sandbox.handlers import common
from sandbox.views.aigenstudio import image_job


def _create(operation_id: str, body: dict):
    sb, account = common.sandbox(), common.account()
    job, replayed, balance = sb.create_job(common.surface(), operation_id, account, body,
                                           common.header("Idempotency-Key"), common.base_url())
    out = {"job": image_job(sb, job, common.now(), common.base_url()), "remaining_paid_credits": balance,
           "request_id": common.request_id()}
    return (out, 200, {"Idempotent-Replayed": "true"}) if replayed else (out, 202)


def _tool(operation_id: str):
    """The six create operations differ only in their operationId (and so in their plan)."""

    async def create(body):
        return _create(operation_id, body)

    create.__name__ = operation_id
    return create


remove_background = _tool("removeBackground")
image_editing = _tool("imageEditing")
image_ai_edit = _tool("imageAiEdit")
ai_background = _tool("aiBackground")
image_generation = _tool("imageGeneration")
ad_creative = _tool("adCreative")


async def list_jobs(limit=20, cursor=None, api=None):
    sb = common.sandbox()
    jobs, more, next_cursor = sb.list_jobs(common.surface(), common.account(), limit, cursor, kind=api)
    now, base = common.now(), common.base_url()
    return {"jobs": [image_job(sb, j, now, base) for j in jobs], "has_more": more, "next_cursor": next_cursor,
            "request_id": common.request_id()}


async def get_job(job_id):
    sb = common.sandbox()
    job = sb.get_job(common.surface(), common.account(), job_id)
    return {"job": image_job(sb, job, common.now(), common.base_url()), "request_id": common.request_id()}


async def cancel_job(job_id):
    sb = common.sandbox()
    job = sb.cancel_job(common.surface(), common.account(), job_id)
    return {"job": image_job(sb, job, common.now(), common.base_url()), "request_id": common.request_id()}


async def list_tools():
    tools = [{"id": tool_id, **info} for tool_id, info in catalog.IMAGE_TOOLS.items()]
    return {"tools": tools, "request_id": common.request_id()}
