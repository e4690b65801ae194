"""Soak: a long mixed load against ``darkroom serve``, watching memory, 5xx and unfinished jobs.

What it proves: under sustained traffic on every vendor surface the server answers no 5xx and no
unexpected status, drops no connection, does not grow its resident memory by more than
``--rss-limit`` percent after the warm-up, and every job it accepted reaches a terminal state on
the real clock.

Fresh jobs are created during the warm-up only (``--fresh-creates warmup``, the default); after
it, create slots replay known idempotency keys instead. The in-memory store keeps every job by
design, so growth measured while jobs are still being added is state, not a leak; with
``--fresh-creates always`` the run reports that growth per job instead of hiding it.

    python scripts/soak.py --seconds 600 [--state sqlite:/path/state.db] [--workers 8]

Exit status 1 on any 5xx, unexpected status, transport error, unfinished job, RSS growth above the
limit, or a server that died.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from loadmix import Mix, Tally  # noqa: E402
from serverproc import ServerProcess, jobs_config  # noqa: E402


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=600.0, help="load duration (default 600)")
    p.add_argument("--warmup", type=float, default=None,
                   help="seconds before the RSS baseline is taken (default: 20%% of --seconds, at most 120)")
    p.add_argument("--workers", type=int, default=8, help="client threads (default 8)")
    p.add_argument("--state", default=None, help="memory (default) or sqlite:PATH")
    p.add_argument("--queued", type=float, default=0.5, help="job queued stage, seconds (default 0.5)")
    p.add_argument("--processing", type=float, default=1.0, help="job processing stage, seconds (default 1.0)")
    p.add_argument("--sample-every", type=float, default=2.0, help="RSS sampling period, seconds")
    p.add_argument("--rss-limit", type=float, default=10.0, help="allowed RSS growth after warm-up, %%")
    p.add_argument("--fresh-creates", choices=("warmup", "always"), default="warmup")
    p.add_argument("--distinct-files", type=int, default=16,
                   help="distinct result files downloaded (the server keeps a 256 MB LRU of rendered files)")
    p.add_argument("--max-requests", type=int, default=5_000_000, help="hard cap on requests")
    p.add_argument("--finish-timeout", type=float, default=120.0, help="seconds to wait for jobs to end")
    p.add_argument("--validate-responses", action="store_true", help="serve with response validation on")
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args(argv)


def sampler(server: ServerProcess, samples: list, stop: threading.Event, every: float, started: float) -> None:
    while True:
        rss = server.rss_kb()
        if rss is not None:
            samples.append((time.monotonic() - started, rss))
        if stop.wait(every):
            return


def worker(mix: Mix, deadline: float, budget: list, lock: threading.Lock, seed: int) -> None:
    rng = random.Random(seed)
    ops, weights = zip(*mix.weighted(), strict=True)
    while time.monotonic() < deadline:
        with lock:
            if budget[0] <= 0:
                return
            budget[0] -= 1
        rng.choices(ops, weights)[0](rng)


def prime(mix: Mix, workers: int) -> None:
    """Render the result files the load will download, before the clock starts.

    The first render of a pipeline loads its ONNX graphs and working buffers (hundreds of MB);
    that is start-up cost, not growth, so it happens here and the baseline is taken after it.
    """
    rng = random.Random(0)
    for _ in range(max(5, mix.distinct_files)):  # creates cycle through the five create kinds
        mix.create(rng)
    wait_terminal(mix, workers, 60.0)
    for job in list(mix.jobs):
        mix.harvest(job)
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda url: mix.call("download", "GET", url, {200}), list(mix.files)))


def wait_terminal(mix: Mix, workers: int, timeout: float) -> list:
    pending = list(mix.jobs)
    deadline = time.monotonic() + timeout
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        while pending and time.monotonic() < deadline:
            chunks = [pending[n::workers] for n in range(workers)]
            pending = [job for left in pool.map(mix.unfinished, chunks) for job in left]
            if pending:
                time.sleep(0.5)
    return pending


def main(argv=None) -> int:
    args = parse(argv)
    warmup = args.warmup if args.warmup is not None else min(120.0, args.seconds * 0.2)
    config = jobs_config(args.queued, args.processing)
    extra = ("--validate-responses",) if args.validate_responses else ()
    server = ServerProcess(state=args.state, config=config, seed=args.seed, extra=extra).start()
    tally, fresh = Tally(), threading.Event()
    fresh.set()
    mix = Mix(server.url, tally, args.distinct_files, fresh)
    samples: list[tuple[float, int]] = []
    stop = threading.Event()
    rss_boot = server.rss_kb()
    prime(mix, args.workers)
    started = time.monotonic()
    threading.Thread(target=sampler, args=(server, samples, stop, args.sample_every, started), daemon=True).start()
    deadline, budget, lock = started + args.seconds, [args.max_requests], threading.Lock()
    try:
        with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
            futures = [pool.submit(worker, mix, deadline, budget, lock, args.seed * 1000 + n)
                       for n in range(args.workers)]
            if args.fresh_creates == "warmup":
                time.sleep(max(0.0, min(warmup, args.seconds)))
                fresh.clear()
            for future in futures:
                future.result()
        load_seconds = time.monotonic() - started
        stop.set()
        rss_end = server.rss_kb()
        if rss_end is not None:
            samples.append((time.monotonic() - started, rss_end))
        jobs_made = len(mix.jobs)
        unfinished = wait_terminal(mix, args.workers, args.finish_timeout) if server.alive() else list(mix.jobs)
        died = not server.alive()
    finally:
        stop.set()
        server.stop()
        os.unlink(config)
    return report(args, warmup, tally, samples, rss_boot, load_seconds, jobs_made, unfinished, died, server)


def report(args, warmup, tally, samples, rss_boot, load_seconds, jobs_made, unfinished, died, server) -> int:
    after = [rss for t, rss in samples if t >= warmup]
    base = after[0] if after else (samples[-1][1] if samples else None)
    end = samples[-1][1] if samples else None
    growth = (end - base) * 100.0 / base if base and end else None
    load_requests = sum(n for op, c in tally.statuses.items() if op != "final-read" for n in c.values())
    print(f"soak: {load_seconds:.0f} s of load, {args.workers} workers, state {args.state or 'memory'}, "
          f"fresh creates {args.fresh_creates}, warm-up {warmup:.0f} s")
    print(f"requests: {load_requests} ({load_requests / max(load_seconds, 1e-9):.1f} req/s); jobs created: {jobs_made}")
    for op, counts in sorted(tally.statuses.items()):
        print(f"  {op:<11} " + ", ".join(f"{status}: {n}" for status, n in sorted(counts.items(), key=str)))
    print(f"5xx: {tally.counts['server_errors']}; unexpected statuses: {tally.counts['unexpected']}; "
          f"transport errors: {tally.counts['transport']}")
    peak = max((rss for _, rss in samples), default=None)
    print(f"RSS: boot {_mb(rss_boot)}, primed {_mb(samples[0][1] if samples else None)}, after warm-up {_mb(base)}, end {_mb(end)}, peak {_mb(peak)}, "
          f"growth after warm-up {growth:.1f} %" if growth is not None else "RSS: not measured")
    if args.fresh_creates == "always" and base and end and jobs_made:
        print(f"  ({(end - base) * 1024 / max(jobs_made, 1):.0f} bytes of growth per job created)")
    print(f"unfinished jobs: {len(unfinished)}" + (" (server died)" if died else ""))
    for line in tally.server_errors + tally.unexpected + tally.transport:
        print("  " + line)
    for job in unfinished[:10]:
        print(f"  unfinished: {job.surface} {job.id}")
    failed = (tally.counts["server_errors"] or tally.counts["unexpected"] or tally.counts["transport"]
              or unfinished or died or growth is None or growth > args.rss_limit)
    if died or tally.counts["server_errors"]:
        print("server log (tail):\n" + server.log_tail())
    if failed:
        print(f"server log: {server.log_path}")
    else:
        server.discard_log()
    print("soak: FAIL" if failed else "soak: OK")
    return 1 if failed else 0


def _mb(kb) -> str:
    return f"{kb / 1024:.1f} MB" if kb else "n/a"


if __name__ == "__main__":
    sys.exit(main())
