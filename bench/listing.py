#!/usr/bin/env python3
"""Benchmark of `actionspec run ... --all` against a minimal hand-written client.

Builds nothing. Build both binaries first, from the workspace root: actionspec as it ships
(`dist`, fat LTO), the baseline as a plain release build:

    cargo build --profile dist --locked -p actionspec
    cargo build --release --locked -p actionspec-sandbox --example baseline
    python3 bench/listing.py            # --runs 5 by default; --help for the options

It starts `actionspec sandbox jumpcloud` on a free loopback port (one sandbox at a time, always
stopped by its PID on exit, also on error or Ctrl-C) and measures, each figure the median of
--runs runs, actionspec and the baseline alternating within each round:

  (a) sequential listing of 100,000 users, no latency: `--all --concurrency 1` vs the baseline
      with one page in flight (ratio), after a check run that counts the records written, the
      pages in actionspec's stderr summary and the requests it logs (exactly 1,000), and compares
      its output with the baseline's byte for byte;
  (b) 10,000 users with 20 ms latency per response: `--concurrency 8` vs `--concurrency 1`
      (speed-up) and vs the baseline with 8 pages in flight (ratio);
  (c) peak RSS of `--all` (default concurrency) at 10,000 and 100,000 users;
  (d) cold start of `actions jumpcloud` and of a `--dry-run`, vs `--version`;
  (e) the size of the binary.

Wall clock is measured around each child process. Peak RSS is the child's own high-water mark
(`VmHWM` in /proc/PID/status, read every 2 ms while it runs; Linux only): its `ru_maxrss` from
`os.wait4` is printed too, but on Linux it includes this script's own peak (see `run`). Timed
runs write to /dev/null. Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import resource
import selectors
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GET_INPUT = '{"id":"5f1b2c3d4e5f6a7b8c9d0e1f"}'
PAGE_SIZE = 100  # the page size `--all` asks for (the connector's maximum)

# Targets of the issue "Pagination: `--all` as fast as a hand-written client".
SEQUENTIAL_RATIO = 1.00  # actionspec / baseline, one page at a time
SPEEDUP_MIN = 6.0  # --concurrency 1 / --concurrency 8, 20 ms latency
CONCURRENT_RATIO = 1.2  # --concurrency 8 / baseline with 8 in flight
RSS_MAX_MB = 15.0
RSS_SPREAD_MB = 1.0  # between 10,000 and 100,000 records
COLD_RATIO = 3.0  # vs `actionspec --version`
BINARY_MAX_MB = 40.0

SAMPLE_S = 0.002  # how often the peak RSS of a running child is read


class BenchError(Exception):
    """A check failed or a child misbehaved: the figures would mean nothing."""


@dataclass
class Run:
    seconds: float
    rss_kb: int  # the child's own peak RSS (VmHWM), KiB; 0 when not sampled
    maxrss_kb: int  # ru_maxrss from wait4, KiB: at least the script's own peak, see `run`
    code: int
    stderr: str


@dataclass
class Series:
    """Runs of one command."""

    label: str
    runs: list[Run] = field(default_factory=list)

    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    def rss_mb(self) -> float:
        """The largest peak RSS (VmHWM) of the runs, in MB (10^6 bytes)."""
        return max(r.rss_kb for r in self.runs) * 1024 / 1e6

    def maxrss_mb(self) -> float:
        """The largest `ru_maxrss` of the runs, in MB: bounded below by the script's own."""
        return max(r.maxrss_kb for r in self.runs) * 1024 / 1e6

    def spread(self) -> str:
        times = sorted(r.seconds for r in self.runs)
        return f"{fmt_s(times[0])}–{fmt_s(times[-1])}"


def fmt_s(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.3f} s"


def vm_hwm_kb(pid: int) -> int | None:
    """The peak RSS of `pid`'s current address space (`VmHWM`), KiB; None once it has exited."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return None


def run(cmd, env, timeout, stdout=subprocess.DEVNULL, sink=None, sample=True) -> Run:
    """Runs `cmd` to its end: wall clock, peak RSS, exit code, stderr. `sink(chunk)` gets stdout
    when `stdout` is PIPE. Killed (by PID) after `timeout`.

    Peak RSS: the child's `ru_maxrss` from `os.wait4` is recorded, but on Linux it is never below
    this script's own peak RSS, because exec carries the parent's high-water mark over into the
    child's (vfork shares the parent's address space until exec). So with `sample`, a thread also
    reads the child's own `VmHWM` (the high-water mark of its address space alone, which only
    grows) every SAMPLE_S until it exits; the last reading is the figure reported."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=err)
        lock, state = threading.Lock(), {"done": False, "killed": False}
        hwm = [0]
        stop_sampling = threading.Event()

        def sampler():
            while not stop_sampling.is_set():
                kb = vm_hwm_kb(child.pid)
                if kb is None:
                    break
                hwm[0] = max(hwm[0], kb)
                stop_sampling.wait(SAMPLE_S)

        sampling = threading.Thread(target=sampler, daemon=True)
        if sample:
            sampling.start()

        def kill():
            with lock:
                if not state["done"]:
                    state["killed"] = True
                    os.kill(child.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            if sink is not None:
                while chunk := child.stdout.read(1 << 16):
                    sink(chunk)
            # Wait without reaping, so the timer can never signal a reused PID; then reap.
            os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
            elapsed = time.perf_counter() - start
            with lock:
                state["done"] = True
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            timer.cancel()
            stop_sampling.set()
            if sample:
                sampling.join()
            with lock:
                if not state["done"]:  # interrupted: do not leave the child running
                    state["done"] = True
                    os.kill(child.pid, signal.SIGKILL)
                    os.waitpid(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.stdout is not None:
            child.stdout.close()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if state["killed"]:
        raise BenchError(f"{' '.join(cmd)}: still running after {timeout} s, killed")
    if child.returncode != 0:
        raise BenchError(f"{' '.join(cmd)}: exit code {child.returncode}\n{stderr}")
    return Run(elapsed, hwm[0], usage.ru_maxrss, child.returncode, stderr)


class Sandbox:
    """`actionspec sandbox jumpcloud` on a free loopback port, stopped by its PID."""

    def __init__(self, binary: Path, records: int, latency_ms: int, env):
        cmd = [str(binary), "sandbox", "jumpcloud", "--port", "0", "--records", f"systemusers={records}"]
        if latency_ms:
            cmd += ["--latency-ms", str(latency_ms)]
        self.records, self.latency_ms = records, latency_ms
        self.process = subprocess.Popen(
            cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        try:
            lines = self._read_lines(2, timeout=60)
        except BaseException:
            self.stop()
            raise
        self.url, self.key = lines
        if not self.url.startswith("http://127.0.0.1:"):
            self.stop()
            raise BenchError(f"the sandbox printed {self.url!r}, not a loopback base URL")

    def _read_lines(self, n: int, timeout: float) -> list[str]:
        buf, deadline = b"", time.monotonic() + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(self.process.stdout, selectors.EVENT_READ)
            while buf.count(b"\n") < n:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    raise BenchError(f"the sandbox printed no base URL and API key in {timeout} s")
                chunk = os.read(self.process.stdout.fileno(), 4096)
                if not chunk:
                    raise BenchError(f"the sandbox exited (code {self.process.wait()}) before it was ready")
                buf += chunk
        return buf.decode().splitlines()[:n]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Bench:
    def __init__(self, opts):
        self.opts = opts
        self.bin = Path(opts.actionspec).resolve()
        self.baseline = Path(opts.baseline).resolve()
        for b in (self.bin, self.baseline):
            if not os.access(b, os.X_OK):
                raise BenchError(f"{b} is missing: build it first (see `python3 bench/listing.py --help`)")
        # A scrubbed environment: no user connectors, servers, credentials or log levels.
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("ACTIONSPEC_", "JUMPCLOUD_")) and k not in ("RUST_LOG", "RUST_BACKTRACE")
        }
        self.env["ACTIONSPEC_TOKEN_CACHE"] = "off"
        self.results: dict[str, Series] = {}
        self.checks: list[str] = []

    def log(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    # Commands

    def all_cmd(self, sb: Sandbox, concurrency: int | None) -> list[str]:
        cmd = [str(self.bin), "run", "jumpcloud", "list_system_users", "--all", "--base-url", sb.url]
        if concurrency is not None:
            cmd += ["--concurrency", str(concurrency)]
        return cmd

    def baseline_cmd(self, sb: Sandbox, in_flight: int) -> list[str]:
        return [str(self.baseline), sb.url, sb.key, str(PAGE_SIZE), str(sb.records), str(in_flight)]

    def key_env(self, sb: Sandbox, **extra) -> dict:
        return {**self.env, "JUMPCLOUD_API_KEY": sb.key, **extra}

    def sandbox(self, records: int, latency_ms: int = 0) -> Sandbox:
        self.log(f"sandbox: {records} users, latency {latency_ms} ms ...")
        return Sandbox(self.bin, records, latency_ms, self.env)

    # Measuring

    def alternate(self, commands: list[tuple[str, list[str], dict, bool]], runs: int) -> list[Series]:
        """Runs each command `runs` times, round-robin, starting each round one further along so
        that no command always runs first after another. The last item of a command says whether
        its peak RSS is sampled: the comparisons of time are not, because on two cores the
        sampling thread competes with the client and the sandbox (about 5% at 8 in flight)."""
        series = [Series(label) for label, *_ in commands]
        for r in range(runs):
            for i in range(len(commands)):
                j = (i + r) % len(commands)
                _, cmd, env, sample = commands[j]
                series[j].runs.append(run(cmd, env, self.opts.timeout, sample=sample))
        for s in series:
            self.results[s.label] = s
            rss = f", peak RSS {s.rss_mb():.1f} MB" if s.rss_mb() else ""
            self.log(f"  {s.label}: median {fmt_s(s.median())} ({s.spread()}){rss}")
        return series

    def check_output(self, cmd, env, expect_records: int) -> tuple[int, str, Run]:
        """One untimed run with stdout read: its record count, output digest and the run."""
        lines, digest = 0, hashlib.sha256()

        def sink(chunk: bytes) -> None:
            nonlocal lines
            lines += chunk.count(b"\n")
            digest.update(chunk)

        r = run(cmd, env, self.opts.timeout, stdout=subprocess.PIPE, sink=sink)
        if lines != expect_records:
            raise BenchError(f"{' '.join(cmd)}: {lines} records written, expected {expect_records}")
        return lines, digest.hexdigest(), r

    def check_listing(self, sb: Sandbox, concurrency: int | None, baseline_in_flight: int) -> None:
        """Same records as the baseline, the pages of the summary, one request a page."""
        n, pages = sb.records, sb.records // PAGE_SIZE
        env = self.key_env(sb, ACTIONSPEC_LOG="debug")
        lines, ours, r = self.check_output(self.all_cmd(sb, concurrency), env, n)
        summary = re.search(r"^(\d+) records? in (\d+) pages?", r.stderr, re.M)
        if not summary or (int(summary[1]), int(summary[2])) != (n, pages):
            raise BenchError(f"expected `{n} records in {pages} pages` on stderr, got:\n{r.stderr[-2000:]}")
        requests = r.stderr.count("sending request")
        if requests != pages:
            raise BenchError(f"--all sent {requests} requests for {pages} pages")
        _, theirs, b = self.check_output(self.baseline_cmd(sb, baseline_in_flight), self.env, n)
        if ours != theirs:
            raise BenchError("actionspec and the baseline wrote different records")
        label = f"--concurrency {concurrency}" if concurrency else "--all"
        self.checks.append(
            f"`{label}`, {n:,} users: {lines:,} records written, `{summary[0]}`, "
            f"{requests:,} requests logged, output identical to the baseline's; peak RSS "
            f"{r.rss_kb * 1024 / 1e6:.1f} MB (debug logging on), baseline with {baseline_in_flight} "
            f"in flight {b.rss_kb * 1024 / 1e6:.1f} MB"
        )
        self.log(f"  check: {self.checks[-1]}")

    def measure(self) -> None:
        o = self.opts
        # (a) sequential, and (c) at the large size.
        with self.sandbox(o.records) as sb:
            self.check_listing(sb, 1, 1)
            self.log(f"(a) sequential, {o.records:,} users, {o.runs} runs each")
            self.alternate(
                [
                    ("seq_actionspec", self.all_cmd(sb, 1), self.key_env(sb), False),
                    ("seq_baseline", self.baseline_cmd(sb, 1), self.env, False),
                    ("rss_large", self.all_cmd(sb, None), self.key_env(sb), True),
                ],
                o.runs,
            )
        # (c) at the small size, no latency.
        with self.sandbox(o.small_records) as sb:
            self.log(f"(c) peak RSS, {o.small_records:,} users")
            self.alternate([("rss_small", self.all_cmd(sb, None), self.key_env(sb), True)], o.runs)
        # (b) concurrency under latency.
        with self.sandbox(o.small_records, o.latency_ms) as sb:
            self.check_listing(sb, 8, 8)
            self.log(f"(b) {o.latency_ms} ms latency, {o.small_records:,} users, {o.runs} runs each")
            self.alternate(
                [
                    ("lat_c1", self.all_cmd(sb, 1), self.key_env(sb), False),
                    ("lat_c8", self.all_cmd(sb, 8), self.key_env(sb), False),
                    ("lat_baseline8", self.baseline_cmd(sb, 8), self.env, False),
                ],
                o.runs,
            )
        # (d) cold starts: no network.
        self.log(f"(d) cold start, {o.cold_runs} runs each")
        b = str(self.bin)
        self.alternate(
            [
                ("cold_version", [b, "--version"], self.env, False),
                ("cold_actions", [b, "actions", "jumpcloud"], self.env, False),
                ("cold_dry_run", [b, "run", "jumpcloud", "get_system_user", GET_INPUT, "--dry-run"], self.env, False),
            ],
            o.cold_runs,
        )

    # Report

    def report(self) -> bool:
        r = self.results
        o = self.opts
        size_mb = self.bin.stat().st_size / 1e6
        seq = r["seq_actionspec"].median() / r["seq_baseline"].median()
        speedup = r["lat_c1"].median() / r["lat_c8"].median()
        conc = r["lat_c8"].median() / r["lat_baseline8"].median()
        rss_small, rss_large = r["rss_small"].rss_mb(), r["rss_large"].rss_mb()
        cold_actions = r["cold_actions"].median() / r["cold_version"].median()
        cold_dry = r["cold_dry_run"].median() / r["cold_version"].median()

        def verdict(ok: bool) -> str:
            return "pass" if ok else "**FAIL**"

        rows = [
            ("(a) `--all --concurrency 1`, %s users" % f"{o.records:,}", fmt_s(r["seq_actionspec"].median()), ""),
            ("(a) baseline, 1 page in flight", fmt_s(r["seq_baseline"].median()), ""),
            (
                "(a) sequential ratio actionspec / baseline",
                f"{seq:.2f}",
                f"≤ {SEQUENTIAL_RATIO:.2f}: {verdict(seq <= SEQUENTIAL_RATIO)}",
            ),
            (f"(b) `--concurrency 1`, {o.small_records:,} users, {o.latency_ms} ms latency", fmt_s(r["lat_c1"].median()), ""),
            ("(b) `--concurrency 8`", fmt_s(r["lat_c8"].median()), ""),
            ("(b) baseline, 8 pages in flight", fmt_s(r["lat_baseline8"].median()), ""),
            ("(b) speed-up `--concurrency 8` vs 1", f"{speedup:.1f}×", f"≥ {SPEEDUP_MIN:.0f}×: {verdict(speedup >= SPEEDUP_MIN)}"),
            (
                "(b) ratio `--concurrency 8` / baseline",
                f"{conc:.2f}",
                f"≤ {CONCURRENT_RATIO}: {verdict(conc <= CONCURRENT_RATIO)}",
            ),
            (f"(c) peak RSS `--all` (4 in flight, the default), {o.small_records:,} users", f"{rss_small:.1f} MB", f"≤ {RSS_MAX_MB:.0f} MB: {verdict(rss_small <= RSS_MAX_MB)}"),
            (f"(c) peak RSS `--all`, {o.records:,} users", f"{rss_large:.1f} MB", f"≤ {RSS_MAX_MB:.0f} MB: {verdict(rss_large <= RSS_MAX_MB)}"),
            (
                f"(c) peak RSS growth, {o.records / o.small_records:g}× the records",
                f"{rss_large - rss_small:+.1f} MB",
                f"≤ {RSS_SPREAD_MB:.0f} MB: {verdict(abs(rss_large - rss_small) <= RSS_SPREAD_MB)}",
            ),
            ("(d) `actionspec --version`", fmt_s(r["cold_version"].median()), ""),
            (
                "(d) `actions jumpcloud`",
                f"{fmt_s(r['cold_actions'].median())} ({cold_actions:.1f}×)",
                f"≤ {COLD_RATIO:.0f}×: {verdict(cold_actions <= COLD_RATIO)}",
            ),
            (
                "(d) `run jumpcloud get_system_user … --dry-run`",
                f"{fmt_s(r['cold_dry_run'].median())} ({cold_dry:.1f}×)",
                f"≤ {COLD_RATIO:.0f}×: {verdict(cold_dry <= COLD_RATIO)}",
            ),
            (f"(e) `{os.path.relpath(self.bin, ROOT)}`", f"{size_mb:.1f} MB", f"≤ {BINARY_MAX_MB:.0f} MB: {verdict(size_mb <= BINARY_MAX_MB)}"),
        ]
        print(f"medians of {o.runs} runs ({o.cold_runs} for cold starts); MB = 10^6 bytes\n")
        print("| what | measured | target |")
        print("|---|---|---|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        print()
        for c in self.checks:
            print(f"- {c}")
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6
        print(f"\nall runs (min–max); ru_maxrss is never below this script's own peak, {own:.1f} MB:")
        for s in r.values():
            rss = f"peak RSS {s.rss_mb():5.1f} MB" if s.rss_mb() else " " * 18
            print(f"  {s.label:14} {s.spread():>22}   {rss}   ru_maxrss {s.maxrss_mb():5.1f} MB")
        return "FAIL" not in "".join(row[2] for row in rows)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=5, help="timed runs of each listing command (default 5)")
    p.add_argument("--cold-runs", type=int, default=20, help="runs of each cold-start command (default 20)")
    p.add_argument("--records", type=int, default=100_000, help="users for (a) and (c) (default 100000)")
    p.add_argument("--small-records", type=int, default=10_000, help="users for (b) and (c) (default 10000)")
    p.add_argument("--latency-ms", type=int, default=20, help="sandbox latency for (b) (default 20)")
    p.add_argument("--timeout", type=float, default=120, help="seconds one child may take (default 120)")
    p.add_argument("--actionspec", default=str(ROOT / "target/dist/actionspec"))
    p.add_argument("--baseline", default=str(ROOT / "target/release/examples/baseline"))
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    opts = p.parse_args()
    if not 1 <= opts.runs <= 50 or not 1 <= opts.cold_runs <= 200:
        p.error("--runs must be 1-50 and --cold-runs 1-200")
    for n in (opts.records, opts.small_records):
        if n < PAGE_SIZE or n % PAGE_SIZE or n > 1_000_000:
            p.error(f"record counts must be multiples of {PAGE_SIZE}, at most 1000000")

    # SIGTERM and SIGHUP unwind like Ctrl-C, so that the sandbox is stopped.
    def interrupted(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    try:
        bench = Bench(opts)
        started = time.monotonic()
        bench.measure()
        bench.log(f"done in {time.monotonic() - started:.0f} s\n")
        met = bench.report()
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0 if met or not opts.strict else 1


if __name__ == "__main__":
    sys.exit(main())
