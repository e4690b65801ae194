"""The rule catalog: every rule is a plain function registered with its id, source and severity.

A rule takes a `CheckContext` and returns (or yields) verdicts; the runner stamps each verdict with the
rule's id, source and severity, capping the severity at SHOULD when the verdict rests on inferred parts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from conformance.verdicts import Severity, Verdict

RuleFunction = Callable[..., Iterable[Verdict] | Verdict]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    source: str
    severity: Severity
    function: RuleFunction
    # Surfaces (profile names) the rule applies to; empty means every surface.
    surfaces: tuple[str, ...] = ()
    opt_in: bool = False
    # Run order: rules that read what others observed run late; rules that exhaust a limit run last.
    order: int = 50
    # Rules whose verdicts come from the Schemathesis run.
    schema: bool = False

    def applies_to(self, surface: str) -> bool:
        return not self.surfaces or surface in self.surfaces


RULES: dict[str, Rule] = {}


def rule(
    id: str,
    *,
    title: str,
    source: str,
    severity: Severity | str = Severity.MUST,
    surfaces: Iterable[str] = (),
    opt_in: bool = False,
    order: int = 50,
) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function under `id`."""

    def register(function: RuleFunction) -> RuleFunction:
        if id in RULES:
            raise ValueError(f"rule {id} registered twice")
        RULES[id] = Rule(
            id=id,
            title=title,
            source=source,
            severity=Severity(severity),
            function=function,
            surfaces=tuple(surfaces),
            opt_in=opt_in,
            order=order,
        )
        return function

    return register


def register_rule(item: Rule) -> None:
    if item.id in RULES:
        raise ValueError(f"rule {item.id} registered twice")
    RULES[item.id] = item


def all_rules() -> dict[str, Rule]:
    """The catalog, with every rule module imported."""
    import conformance.rules  # noqa: F401  (registers the rules)

    return RULES


def select(
    *,
    only: Iterable[str] = (),
    skip: Iterable[str] = (),
    opt_in: Iterable[str] = (),
) -> list[Rule]:
    """Rules to run: `only` (when given) minus `skip`; opt-in rules only when named in `only` or `opt_in`."""
    catalog = all_rules()
    only, skip, opt_in = set(only), set(skip), set(opt_in)
    unknown = (only | skip | opt_in) - set(catalog)
    if unknown:
        raise KeyError(", ".join(sorted(unknown)))
    chosen = []
    for item in catalog.values():
        if only and item.id not in only:
            continue
        if item.id in skip:
            continue
        if item.opt_in and item.id not in only and item.id not in opt_in:
            continue
        chosen.append(item)
    return sorted(chosen, key=lambda item: item.order)
