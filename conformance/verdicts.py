"""Verdicts: what one rule concluded about one operation, with the evidence a reader needs to act on it."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"


class Severity(StrEnum):
    MUST = "MUST"
    SHOULD = "SHOULD"


@dataclass
class Evidence:
    """One exchange that shows a failure: enough to read it and to replay it."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str | None
    status: int | None
    response_headers: dict[str, str]
    response_excerpt: str
    note: str = ""
    # A reproduction line written by someone else (Schemathesis), credentials masked.
    curl_line: str | None = None

    @property
    def curl(self) -> str:
        if self.curl_line:
            return self.curl_line
        parts = ["curl", "-i", "-X", self.method]
        for name, value in self.request_headers.items():
            parts += ["-H", f"{name}: {value}"]
        if self.request_body is not None:
            parts += ["--data-raw", self.request_body]
        parts.append(self.url)
        return " ".join(shlex.quote(part) for part in parts)

    def as_dict(self) -> dict:
        return {
            "note": self.note,
            "request": {
                "method": self.method,
                "url": self.url,
                "headers": self.request_headers,
                "body": self.request_body,
            },
            "response": {
                "status": self.status,
                "headers": self.response_headers,
                "excerpt": self.response_excerpt,
            },
            "curl": self.curl,
        }


@dataclass
class Verdict:
    """A rule's conclusion for one operation (or for the whole surface when `operation` is None)."""

    rule_id: str
    outcome: Outcome
    operation: str | None = None
    reason: str = ""
    severity: Severity = Severity.MUST
    source: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    # Set by a rule when the verdict rests on something the vendor never documented (x-inferred).
    inferred: bool = False

    @property
    def blocking(self) -> bool:
        return self.outcome is Outcome.FAIL and self.severity is Severity.MUST

    def as_dict(self) -> dict:
        return {
            "rule": self.rule_id,
            "operation": self.operation,
            "outcome": self.outcome.value,
            "severity": self.severity.value,
            "source": self.source,
            "reason": self.reason,
            "evidence": [item.as_dict() for item in self.evidence],
        }


def passed(operation: str | None = None, reason: str = "", *, inferred: bool = False) -> Verdict:
    return Verdict(rule_id="", outcome=Outcome.PASS, operation=operation, reason=reason, inferred=inferred)


def failed(
    operation: str | None, reason: str, *evidence: Evidence | None, inferred: bool = False
) -> Verdict:
    return Verdict(
        rule_id="",
        outcome=Outcome.FAIL,
        operation=operation,
        reason=reason,
        evidence=[item for item in evidence if item is not None],
        inferred=inferred,
    )


def not_applicable(reason: str, operation: str | None = None) -> Verdict:
    return Verdict(rule_id="", outcome=Outcome.NOT_APPLICABLE, operation=operation, reason=reason)
