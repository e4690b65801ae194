"""`darkroom check SPEC --url BASE --key KEY ...`: exit 0 when every MUST rule passes, 1 otherwise, 2 on misuse."""

from __future__ import annotations

import argparse
import sys

from conformance import display, reports
from conformance.catalog import all_rules
from conformance.context import Options
from conformance.runner import UsageError, run_check
from conformance.schema_run import PHASES

DEFAULT_PHASES = "examples,coverage,fuzzing"


def _list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(prog="darkroom check", description="Check an implementation against a spec.")
    parse.add_argument("spec", nargs="?", help="bundled document name, file path or http(s) URL")
    parse.add_argument("--url", help="base URL of the implementation (default: the document's sandbox server)")
    parse.add_argument("--key", help="API key the rules use")
    parse.add_argument("--other-key", help="a second tenant's key (enables TENANT-ISOLATION)")
    parse.add_argument("--key-mode", choices=("sandbox", "live"), default="sandbox")
    parse.add_argument("--empty-key", help="a live key with no credits (enables CREDITS-402)")
    parse.add_argument("--rules", help="only these rule ids (comma separated)")
    parse.add_argument("--skip-rules", help="rule ids to leave out")
    parse.add_argument("--opt-in", help="opt-in rule ids to add")
    parse.add_argument("--phases", default=DEFAULT_PHASES, help=f"Schemathesis phases, from {','.join(PHASES)}")
    parse.add_argument("--max-examples", type=int, default=10, help="Schemathesis examples per operation")
    parse.add_argument("--seed", type=int, help="Schemathesis seed")
    parse.add_argument("--report", help="report formats: junit,json,md")
    parse.add_argument("--report-dir", default="conformance-reports")
    parse.add_argument("--max-requests", type=int, help="cap on the rules' own requests")
    parse.add_argument("--job-timeout", type=float, default=30.0, help="seconds a job may take to finish")
    parse.add_argument("--allow-billable", action="store_true", help="permit live keys (may spend credits)")
    parse.add_argument("--strict", action="store_true", help="SHOULD failures fail the run too")
    parse.add_argument("--list-rules", action="store_true", help="print the rule catalog and exit")
    return parse


def _usage(message: str) -> int:
    print(f"darkroom check: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    if args.list_rules:
        print(display.catalog_table(list(all_rules().values())))
        return 0
    if not args.spec or not args.key:
        return _usage("SPEC and --key are required (see --help)")
    phases = tuple(_list(args.phases))
    if set(phases) - set(PHASES):
        return _usage(f"unknown phase in {args.phases!r}; choose from {','.join(PHASES)}")
    formats = _list(args.report)
    if set(formats) - set(reports.WRITERS):
        return _usage(f"unknown report format in {args.report!r}; choose from {','.join(reports.WRITERS)}")
    if args.max_examples < 1:
        return _usage("--max-examples must be at least 1")
    options = Options(
        key_mode=args.key_mode,
        allow_billable=args.allow_billable,
        phases=phases,
        max_examples=args.max_examples,
        seed=args.seed,
        job_timeout=args.job_timeout,
    )
    try:
        report = run_check(
            args.spec,
            args.url,
            args.key,
            other_key=args.other_key,
            empty_key=args.empty_key,
            options=options,
            rules=_list(args.rules) or None,
            skip_rules=_list(args.skip_rules),
            opt_in=_list(args.opt_in),
            max_requests=args.max_requests,
            progress=display.progress,
        )
    except UsageError as exc:
        return _usage(str(exc))
    print(display.verdict_table(report))
    print(display.failures(report))
    for path in reports.write(report, formats, args.report_dir) if formats else []:
        print(f"report: {path}", file=sys.stderr)
    passed = report.ok_strict() if args.strict else report.ok
    print(f"\n{report.spec}: {'PASSED' if passed else 'FAILED'} ({report.duration:.1f}s, {report.requests} requests)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
