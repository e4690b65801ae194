"""RESULTS-IMAGES: every result URL of a finished job serves an image matching the job's claims."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlparse

import httpx

from conformance.catalog import rule
from conformance.context import CheckContext
from conformance.images import CONTENT_TYPES, dimensions, normalise, sniff
from conformance.verdicts import Evidence, failed, not_applicable, passed

URL_KEYS = ("url", "image_url", "result_url", "output_url")
MAX_DOWNLOADS = 6


def _urls_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_urls_in(item) for item in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_urls_in(item) for item in value)) if value else set()
    return {value} if isinstance(value, str) and value.startswith("http") else set()


def _url_of(entry: Any) -> str | None:
    if isinstance(entry, str) and entry.startswith("http"):
        return entry
    if isinstance(entry, dict):
        return next((entry[key] for key in URL_KEYS if isinstance(entry.get(key), str)), None)
    return None


def walk(value: Any, path: str) -> list[Any]:
    """Values at `path` ('/'-separated keys, '*' for every element of a list)."""
    found = [value]
    for token in [part for part in path.split("/") if part]:
        step = []
        for item in found:
            if token == "*" and isinstance(item, list):
                step.extend(item)
            elif isinstance(item, dict) and token in item:
                step.append(item[token])
        found = step
    return found


def result_entries(job: dict, path: str, inputs: set[str]) -> list[dict]:
    """Result objects at the profile's results path (the job itself by default); input URLs left out."""
    entries = []
    for entry in walk(job, path):
        url = _url_of(entry)
        if url and url not in inputs:
            entries.append(entry if isinstance(entry, dict) else {"url": entry})
    return entries


def _claims(entry: dict) -> tuple[str, str | None, int | None, int | None]:
    url = _url_of(entry) or ""
    declared = normalise(entry.get("format"))
    if declared is None:
        suffix = PurePosixPath(urlparse(url).path).suffix
        declared = normalise(suffix) if suffix else None
    width, height = entry.get("width"), entry.get("height")
    return url, declared, width if isinstance(width, int) else None, height if isinstance(height, int) else None


def _download_evidence(url: str, response: httpx.Response, note: str = "result download") -> Evidence:
    kind = response.headers.get("content-type", "")
    excerpt = response.text[:300] if kind.startswith("text/") or "json" in kind else f"<{len(response.content)} bytes>"
    return Evidence("GET", url, {}, None, response.status_code, dict(response.headers), excerpt, note)


def check_result(ctx: CheckContext, entry: dict) -> tuple[str, Evidence | None] | None:
    url, declared, width, height = _claims(entry)
    try:
        response = ctx.probe.get_raw(url)
    except httpx.HTTPError as exc:
        return f"{url} could not be fetched: {type(exc).__name__}", None
    if response.status_code != 200:
        return f"{url} answered {response.status_code}", _download_evidence(url, response)
    actual = sniff(response.content)
    if actual is None:
        return f"{url} is not an image (magic bytes {response.content[:8]!r})", _download_evidence(url, response)
    if declared and declared != actual:
        return f"{url} is declared {declared} but its bytes are {actual}", _download_evidence(url, response)
    served_type = (response.headers.get("content-type") or "").split(";")[0].strip()
    if served_type and served_type != CONTENT_TYPES.get(actual):
        return f"{url} holds {actual} bytes served as {served_type}", _download_evidence(url, response)
    size = dimensions(response.content)
    if size is None:
        return f"{url} has {actual} magic bytes but does not decode", _download_evidence(url, response)
    if (width is not None and width != size[0]) or (height is not None and height != size[1]):
        return f"{url} is {size[0]}x{size[1]}, the job claims {width}x{height}", _download_evidence(url, response)
    return None


@rule(
    "RESULTS-IMAGES",
    title="Result URLs serve images whose bytes, format and size match the job",
    source="seed 002 ('image_url available' when COMPLETED); result objects inferred for AI Gen Studio",
)
def results_images(ctx: CheckContext):
    if ctx.surface.get_job is None:
        return [not_applicable("the document has no job read operation")]
    trace = ctx.trace()
    if trace is None:
        return [not_applicable("no create operation with an example body")]
    label = ctx.surface.get_job.operation.label
    if not trace.terminal or trace.last_read is None:
        return [not_applicable("the job did not finish (see JOB-TERMINAL)", label)]
    job = ctx.job_of(trace.last_read) or {}
    inputs = _urls_in(trace.operation.example_body())
    entries = result_entries(job, ctx.profile.results_path, inputs)
    status = ctx.status_of(job)
    if not entries:
        if status == ctx.profile.terminal[0]:
            return [failed(label, f"job is {status} but lists no result URL", trace.last_read.evidence())]
        return [not_applicable(f"job ended {status} without results", label)]
    for entry in entries[:MAX_DOWNLOADS]:
        problem = check_result(ctx, entry)
        if problem:
            reason, evidence = problem
            return [failed(label, reason, evidence, trace.last_read.evidence("the job's claims"))]
    return [passed(label, f"{min(len(entries), MAX_DOWNLOADS)} result files checked")]
