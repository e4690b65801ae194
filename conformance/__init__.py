"""Darkroom conformance suite: Schemathesis plus semantic rules (idempotency, auth, jobs, credits, results).

Entry points: `conformance.cli.main(argv)` (the `darkroom check` command), `conformance.runner.run_check`
(the library call) and `conformance.pytest_support.run_rules` (inside an integrator's own pytest).
"""
