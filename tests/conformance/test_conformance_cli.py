"""`darkroom check` as a command: exit statuses, refusals, reports, and the 429 wait of the rules' client."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import httpx
from mini_servers import IMAGE_SPEC, PRODUCTAI_SPEC, free_port, image_app, productai_app, running

from conformance.cli import main
from conformance.probe import Budget, Probe

QUICK = ["--max-examples", "2", "--seed", "3", "--phases", "examples"]


def test_list_rules_prints_the_catalog(capsys):
    assert main(["--list-rules"]) == 0
    out = capsys.readouterr().out
    for rule_id in ("AUTH-MISSING", "IDEMP-PARALLEL", "RATE-LIMIT-15", "SCHEMA-not_a_server_error"):
        assert rule_id in out
    assert "(opt-in)" in out


def test_usage_errors_exit_2_with_one_line(capsys):
    assert main([str(IMAGE_SPEC)]) == 2
    assert main(["no-such-document", "--url", "http://127.0.0.1:9", "--key", "k"]) == 2
    assert main([str(IMAGE_SPEC), "--url", "http://127.0.0.1:9", "--key", "k", "--rules", "NOPE"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("darkroom check: ") for line in err)


def test_unreachable_server_exits_2(capsys):
    url = f"http://127.0.0.1:{free_port()}"
    assert main([str(IMAGE_SPEC), "--url", url, "--key", "sandbox_a", "--rules", "AUTH-MISSING"]) == 2
    assert "unreachable" in capsys.readouterr().err


def test_live_keys_need_allow_billable(capsys):
    with running(image_app()) as url:
        args = [str(IMAGE_SPEC), "--url", url, "--rules", "AUTH-MISSING"]
        assert main([*args, "--key", "live_demo", "--key-mode", "live"]) == 2
        assert main([*args, "--key", "sandbox_a", "--empty-key", "live_empty"]) == 2
        assert "--allow-billable" in capsys.readouterr().err
        assert main([*args, "--key", "sandbox_a", "--empty-key", "live_empty", "--allow-billable",
                     "--rules", "CREDITS-402"]) == 0


def test_exit_0_on_pass_1_on_must_failure_and_reports(tmp_path, capsys):
    rules = "AUTH-MISSING,IDEMP-REPLAY,JOB-VOCAB,SCHEMA-status_code_conformance"
    with running(image_app()) as url:
        assert main([str(IMAGE_SPEC), "--url", url, "--key", "sandbox_a", "--rules", rules, *QUICK]) == 0
    with running(image_app({"replay_new_job"})) as url:
        code = main([str(IMAGE_SPEC), "--url", url, "--key", "sandbox_a", "--rules", rules, *QUICK,
                     "--report", "junit,json,md", "--report-dir", str(tmp_path)])
    assert code == 1
    out = capsys.readouterr().out
    assert "IDEMP-REPLAY" in out and "FAILED" in out and "curl " in out

    data = json.loads((tmp_path / "conformance.json").read_text())
    assert data["format"] == "darkroom-conformance/1" and data["passed"] is False
    by_id = {rule["id"]: rule for rule in data["rules"]}
    assert by_id["IDEMP-REPLAY"]["outcome"] == "fail" and by_id["AUTH-MISSING"]["outcome"] == "pass"
    failure = by_id["IDEMP-REPLAY"]["verdicts"][0]
    assert failure["severity"] == "MUST" and failure["evidence"][0]["curl"].startswith("curl ")
    assert failure["source"].startswith("seeds 000/004")

    suites = ET.parse(tmp_path / "conformance.junit.xml").getroot()
    cases = {(case.get("classname").split(".")[-1], case.get("name")): case for case in suites.iter("testcase")}
    assert cases[("IDEMP-REPLAY", "POST /remove-background")].find("failure") is not None
    assert cases[("AUTH-MISSING", "GET /jobs")].find("failure") is None
    assert "IDEMP-REPLAY" in (tmp_path / "conformance.md").read_text()


def test_should_failures_fail_only_with_strict():
    with running(image_app({"no_allow"})) as url:
        args = [str(IMAGE_SPEC), "--url", url, "--key", "sandbox_a", "--rules", "ALLOW-405"]
        assert main(args) == 0
        assert main([*args, "--strict"]) == 1


def test_rate_limit_15_is_opt_in_and_429s_are_waited_out():
    with running(productai_app(rate_limit=15, window=1.0)) as url:
        base = [str(PRODUCTAI_SPEC), "--url", url, "--key", "sandbox_a"]
        assert main([*base, "--rules", "AUTH-MISSING", "--opt-in", "RATE-LIMIT-15"]) == 0
        # The window is spent now: the next rules wait out Retry-After instead of failing on 429.
        assert main([*base, "--rules", "AUTH-UNKNOWN,JOB-VOCAB,RATE-LIMIT-HEADERS", "--strict"]) == 0


def test_probe_waits_out_a_429_with_retry_after():
    answers = iter([httpx.Response(429, headers={"Retry-After": "0"}), httpx.Response(200, json={})])
    journal: list = []
    probe = Probe("http://api.test", {}, budget=Budget(max_requests=5), journal=journal,
                  transport=httpx.MockTransport(lambda request: next(answers)))
    assert probe.request("get", "/x").status == 200
    assert [exchange.status for exchange in journal] == [429, 200]


def test_max_requests_stops_the_rules_with_not_applicable(tmp_path):
    with running(image_app()) as url:
        code = main([str(IMAGE_SPEC), "--url", url, "--key", "sandbox_a", "--rules", "AUTH-MISSING",
                     "--max-requests", "1", "--report", "json", "--report-dir", str(tmp_path)])
    assert code == 0
    verdicts = json.loads((tmp_path / "conformance.json").read_text())["rules"][0]["verdicts"]
    assert [verdict["outcome"] for verdict in verdicts] == ["not_applicable"]
    assert "budget" in verdicts[0]["reason"]
