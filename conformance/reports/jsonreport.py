"""JSON report, stable keys (format version 1).

Top level::

    {
      "format": "darkroom-conformance/1",
      "spec": "<document name>", "profile": "<profile name>", "base_url": "...",
      "started": <unix seconds>, "duration_seconds": <float>, "requests": <int>,
      "passed": <bool: no MUST failure>, "strict_passed": <bool: no failure at all>,
      "summary": {"pass": n, "fail": n, "not_applicable": n, "must_failures": n, "should_failures": n},
      "rules": [
        {"id", "title", "source", "severity": "MUST"|"SHOULD", "opt_in": bool,
         "outcome": "pass"|"fail"|"not_applicable",
         "verdicts": [
           {"rule", "operation": "<METHOD /path>"|null, "outcome", "severity", "source", "reason",
            "evidence": [{"note", "request": {"method", "url", "headers", "body"},
                          "response": {"status", "headers", "excerpt"}, "curl"}]}
         ]}
      ]
    }

A verdict's severity can be lower than its rule's: rules about inferred operations or fields are capped at
SHOULD. New keys may be added; existing keys keep their meaning within a format version.
"""

from __future__ import annotations

import json

from conformance.verdicts import Outcome, Severity

FORMAT = "darkroom-conformance/1"


def as_dict(report) -> dict:
    grouped = report.by_rule()
    verdicts = report.verdicts
    failures = [verdict for verdict in verdicts if verdict.outcome is Outcome.FAIL]
    return {
        "format": FORMAT,
        "spec": report.spec,
        "profile": report.profile,
        "base_url": report.base_url,
        "started": round(report.started, 3),
        "duration_seconds": round(report.duration, 3),
        "requests": report.requests,
        "passed": report.ok,
        "strict_passed": report.ok_strict(),
        "summary": {
            "pass": sum(verdict.outcome is Outcome.PASS for verdict in verdicts),
            "fail": len(failures),
            "not_applicable": sum(verdict.outcome is Outcome.NOT_APPLICABLE for verdict in verdicts),
            "must_failures": sum(verdict.severity is Severity.MUST for verdict in failures),
            "should_failures": sum(verdict.severity is Severity.SHOULD for verdict in failures),
        },
        "rules": [
            {
                "id": rule.id,
                "title": rule.title,
                "source": rule.source,
                "severity": rule.severity.value,
                "opt_in": rule.opt_in,
                "outcome": report.rule_outcome(rule.id).value,
                "verdicts": [verdict.as_dict() for verdict in grouped.get(rule.id, [])],
            }
            for rule in report.rules
        ],
    }


def render(report) -> str:
    return json.dumps(as_dict(report), indent=2, sort_keys=False) + "\n"
