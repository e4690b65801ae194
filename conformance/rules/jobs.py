"""JOB-*: the job lifecycle of the primary create operation, followed from creation to a terminal status."""

from __future__ import annotations

import functools
from collections.abc import Callable

from conformance.catalog import rule
from conformance.context import CheckContext, JobTrace
from conformance.envelopes import expect_error
from conformance.verdicts import Verdict, failed, not_applicable, passed

TraceCheck = Callable[[CheckContext, JobTrace], list[Verdict]]


def _traced(check: TraceCheck) -> Callable[[CheckContext], list[Verdict]]:
    """Give `check` the primary job's trace; the rule is not applicable when no job can be followed."""

    @functools.wraps(check)
    def run(ctx: CheckContext) -> list[Verdict]:
        if ctx.surface.get_job is None:
            return [not_applicable("the document has no job read operation")]
        trace = ctx.trace()
        if trace is None:
            return [not_applicable("the document has no create operation with an example body")]
        return check(ctx, trace)

    return run


def _label(ctx: CheckContext) -> str:
    return ctx.surface.get_job.operation.label if ctx.surface.get_job else ""


def documented_statuses(ctx: CheckContext) -> set[str]:
    """The status enum of the job schema in the job read response (resolved through the profile's pointer)."""
    getter = ctx.surface.get_job
    if getter is None:
        return set()
    schema = getter.operation.response_schema(200)
    for token in [part for part in ctx.profile.read_job.split("/") if part]:
        schema = ctx.document.properties(schema).get(token, {})
    status = ctx.document.resolve(ctx.document.properties(schema).get(ctx.profile.status_field, {}))
    return set((status or {}).get("enum", [])) if isinstance(status, dict) else set()


def _evidence(trace: JobTrace):
    return [item.evidence() for item in ([trace.create] + trace.reads[-2:])]


@rule("JOB-VOCAB", title="Job statuses stay within the documented vocabulary", source="seeds 000/002/003/004 status enums")
@_traced
def job_vocabulary(ctx: CheckContext, trace: JobTrace):
    if trace.error and not trace.statuses:
        return [failed(_label(ctx), trace.error, *_evidence(trace))]
    vocabulary = set(ctx.profile.vocabulary) | documented_statuses(ctx)
    if not vocabulary:
        return [not_applicable("no status vocabulary known for this surface")]
    strange = sorted(set(trace.statuses) - vocabulary)
    if strange:
        return [failed(_label(ctx), f"statuses {strange} are outside {sorted(vocabulary)}", *_evidence(trace))]
    return [passed(_label(ctx), " -> ".join(dict.fromkeys(trace.statuses)))]


@rule(
    "JOB-MONOTONIC",
    title="Job status only moves forward; a terminal status never changes",
    source="inferred (seed 002 polling workflow: poll until COMPLETED or ERROR)",
    severity="SHOULD",
)
@_traced
def job_monotonic(ctx: CheckContext, trace: JobTrace):
    stages = [ctx.profile.stage(status) for status in trace.statuses]
    if not trace.statuses or None in stages:
        return [not_applicable("statuses outside the profile's vocabulary (see JOB-VOCAB)", _label(ctx))]
    for index in range(1, len(stages)):
        before, after = trace.statuses[index - 1], trace.statuses[index]
        if stages[index] < stages[index - 1] or (stages[index - 1] == 2 and after != before):
            return [failed(_label(ctx), f"status went from {before} to {after}: {trace.statuses}", *_evidence(trace))]
    return [passed(_label(ctx), " -> ".join(trace.statuses))]


@rule(
    "JOB-TERMINAL",
    title="A job reaches a terminal status within the bound",
    source="inferred (asynchronous jobs in seeds 000/002/003/004 finish; bound set by the suite)",
    severity="SHOULD",
)
@_traced
def job_terminal(ctx: CheckContext, trace: JobTrace):
    if trace.terminal:
        return [passed(_label(ctx), f"{trace.statuses[-1]} after {trace.elapsed:.1f}s")]
    reason = trace.error or f"still {trace.statuses[-1:] or 'unknown'} after {ctx.options.job_timeout:.0f}s"
    return [failed(_label(ctx), reason, *_evidence(trace))]


@rule(
    "JOB-COUNTS",
    title="Job counts agree with each other and with the listed results",
    source="seed 004 (total_results, completed_results, failed_results); relations inferred",
    severity="SHOULD",
)
@_traced
def job_counts(ctx: CheckContext, trace: JobTrace):
    job = ctx.job_of(trace.last_read) if trace.last_read else None
    counts = ctx.profile.counts
    if not isinstance(job, dict) or not isinstance(job.get(counts.total or ""), int):
        return [not_applicable("the job carries no total count", _label(ctx))]
    total = job[counts.total]
    completed = job.get(counts.completed or "")
    failures = job.get(counts.failed or "")
    results = job.get(counts.results or "")
    problems = []
    done = sum(value for value in (completed, failures) if isinstance(value, int))
    if done > total:
        problems.append(f"{counts.completed}+{counts.failed} = {done} exceeds {counts.total} = {total}")
    status = ctx.status_of(job)
    if isinstance(results, list):
        finished = [item for item in results if isinstance(item, dict) and item.get("status", "completed") == "completed"]
        if len(results) > total:
            problems.append(f"{len(results)} results listed for {counts.total} = {total}")
        if isinstance(completed, int) and len(finished) != completed and status in ctx.profile.terminal:
            problems.append(f"{len(finished)} completed results listed, {counts.completed} = {completed}")
        if status == ctx.profile.terminal[0] and len(finished) != total:
            problems.append(f"status {status} but {len(finished)} of {total} results completed")
    if problems:
        return [failed(_label(ctx), "; ".join(problems), trace.last_read.evidence())]
    return [passed(_label(ctx))]


@rule(
    "JOB-CANCEL",
    title="Cancelling a running job works; cancelling a finished job is 409",
    source="inferred (SPECS: cancel answers 200, 409 job_not_cancellable once finished)",
    severity="SHOULD",
)
def job_cancel(ctx: CheckContext):
    cancel, operation = ctx.surface.cancel_job, ctx.surface.primary_create
    if cancel is None:
        return [not_applicable("the document has no cancel operation")]
    if operation is None or ctx.surface.get_job is None:
        return [not_applicable("no create operation with an example body, or no job read")]
    label = cancel.operation.label
    create = ctx.create(operation)
    job_id = ctx.job_id(operation, create)
    if job_id is None:
        return [failed(label, f"create answered {create.status} without a job id", create.evidence())]
    fresh = ctx.probe.request("post", cancel.operation.fill_path({cancel.param: job_id}), operation=label)
    verdicts = []
    if fresh.status == 200:
        read = ctx.read_job(job_id)
        status = ctx.status_of(ctx.job_of(read))
        if status != ctx.profile.cancelled:
            verdicts.append(failed(label, f"cancel answered 200 but the job reads {status!r}", fresh.evidence(), read.evidence()))
    elif fresh.status != 409:
        verdicts.append(failed(label, f"cancelling a new job answered {fresh.status}", fresh.evidence()))
    trace = ctx.trace()
    if trace is not None and trace.terminal:
        finished = ctx.probe.request("post", cancel.operation.fill_path({cancel.param: trace.job_id}), operation=label)
        problem = expect_error(ctx, finished, (409,))
        if problem:
            verdicts.append(failed(label, f"cancelling a finished job: {problem}", finished.evidence()))
    return verdicts or [passed(label)]
