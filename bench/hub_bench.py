#!/usr/bin/env python3
"""`./bh bench hub`: the hub's webhook path under load, beside nginx and Node-RED.

wrk (bench/trigger.lua) POSTs /trigger/button_pressed/with/key/KEY with a
JSON body to each target in turn: a priming, a warm-up, then interleaved
rounds (round 1: hub, nginx, ...; round 2 starts one target later, and so
on). Per round it records req/s (200s over the load time), p50/p99 from
wrk, the CPU each process used (utime+stime from /proc/PID/stat) and the
share of the machine's CPU time left idle (/proc/stat, idle + iowait); for
the hub also its group commit from /metrics (writes per commit, ms per
COMMIT). It
prints the medians over the rounds, one figure a line, ending with the
ratios `hub/nginx: R` and `hub/node-red-store: R`.

Targets:
  hub             build/bin/buttonhook-hub: each 200 is fsynced to SQLite first
  nginx           a fixed 200 on the same path: the ceiling on this machine
  node-red        Node-RED 4, http in -> function (key check) -> http response
  node-red-store  the same, and each event appended to a file (not fsynced)

After the run, the hub's table must hold exactly as many events as the hub
answered with 200 (and Node-RED's file as many lines); a mismatch exits 1.
Slow numbers never fail the bench. Progress goes to stderr, figures to stdout.
"""

import argparse
import http.client
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
LUA = BENCH_DIR / "trigger.lua"
KEY = "bench-key-3f9a"
PATH = f"/trigger/button_pressed/with/key/{KEY}"
BODY = b'{"value1":"micropython1","value2":"bench","value3":"42"}'
REPLY = "Congratulations! You've fired the button_pressed event"
CLK_TCK = os.sysconf("SC_CLK_TCK")
ALL_TARGETS = ["hub", "nginx", "node-red", "node-red-store"]


def progress(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine_ticks():
    """(idle + iowait, all) jiffies of the whole machine, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return fields[3] + fields[4], sum(fields)


def cpu_seconds(pids):
    """utime + stime of these processes (all their threads), in seconds."""
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue  # gone: its time is lost, which only happens at a crash
        fields = stat[stat.rindex(")") + 2:].split()  # the name may hold spaces
        total += int(fields[11]) + int(fields[12])  # fields 14 and 15 of stat(5)
    return total / CLK_TCK


def children(pid):
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def request(port, method, path, body=None, headers=None, timeout=5.0):
    """(status, body text), or (None, None) when nothing answered."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body, headers or {})
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace")
    except OSError:
        return None, None
    finally:
        conn.close()


def post(port, timeout=5.0):
    """One trigger request; the status, or None when nothing answered."""
    return request(port, "POST", PATH, BODY, {"Content-Type": "application/json"}, timeout)[0]


class Target:
    name = ""
    stores = False  # has a count of stored events to check

    def __init__(self, work):
        self.work = work / self.name
        self.proc = None
        self.port = None
        self.answered_200 = 0

    def pids(self):
        return [self.proc.pid] + children(self.proc.pid)

    def commit_figures(self):
        return None  # only the hub reports its group commit

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; "
                                   f"see {self.work}")
            status = post(self.port, timeout=2.0)
            if status == 200:
                self.answered_200 += 1
                return
            if status is not None and status not in (404, 503):  # Node-RED: flows not started yet
                raise RuntimeError(f"{self.name} answered {status} to the trigger")
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s; see {self.work}")

    def prime(self, count):
        for _ in range(count):
            if post(self.port) == 200:
                self.answered_200 += 1

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def stored(self):
        return None


class Hub(Target):
    name = "hub"
    stores = True

    def __init__(self, work, binary, access_log, name="hub"):
        self.name = name
        super().__init__(work)
        self.binary = binary
        self.access_log = access_log

    def start(self):
        self.work.mkdir(parents=True)
        self.db = self.work / "hub.db"
        # stdout: the `listening on` line, then the log applet's text per event.
        self.stdout_path = self.work / "stdout.txt"
        err = open(self.work / "access.log", "wb") if self.access_log else subprocess.DEVNULL
        with open(self.stdout_path, "wb") as out:
            self.proc = subprocess.Popen(
                [str(self.binary), "serve", "--listen", "127.0.0.1:0", "--db", str(self.db),
                 "--key", KEY], stdout=out, stderr=err)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            match = re.search(rb"listening on http://127\.0\.0\.1:(\d+)",
                              self.stdout_path.read_bytes()[:200])
            if match:
                self.port = int(match.group(1))
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if not self.port:
            raise RuntimeError("the hub did not print its `listening on` line")
        self.wait_ready(10)

    def commit_figures(self):
        """(commits, writes, seconds in COMMIT) from /metrics; None from a
        hub without them (an older --base-hub-bin)."""
        status, text = request(self.port, "GET", "/metrics")
        if status != 200:
            return None
        names = ("buttonhook_store_commits_total", "buttonhook_store_committed_writes_total",
                 "buttonhook_store_commit_duration_seconds_sum")
        values = [re.search(rf"^{n} (\S+)$", text, re.M) for n in names]
        return tuple(float(v.group(1)) for v in values) if all(values) else None

    def stored(self):
        out = subprocess.run(["sqlite3", str(self.db), "SELECT count(*) FROM events"],
                             check=True, capture_output=True, text=True).stdout
        return int(out)

    def version(self):
        if self.name != "hub":
            return f"buttonhook-hub at {self.binary}"
        return "buttonhook-hub " + subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True, text=True).stdout.strip()


class Nginx(Target):
    name = "nginx"

    def start(self):
        self.work.mkdir(parents=True)
        self.port = free_port()
        conf = self.work / "nginx.conf"
        temp = {kind: self.work / kind for kind in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
        # Everything in our folder: no root-owned paths, no default site.
        conf.write_text(f"""daemon off;
worker_processes auto;
pid {self.work}/nginx.pid;
error_log {self.work}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {temp['body']};
  proxy_temp_path {temp['proxy']};
  fastcgi_temp_path {temp['fastcgi']};
  uwsgi_temp_path {temp['uwsgi']};
  scgi_temp_path {temp['scgi']};
  server {{
    listen 127.0.0.1:{self.port};
    location /trigger/ {{
      default_type text/plain;
      return 200 "{REPLY}";
    }}
  }}
}}
""")
        self.proc = subprocess.Popen(
            ["nginx", "-c", str(conf), "-p", str(self.work), "-e", str(self.work / "error.log")],
            stdout=subprocess.DEVNULL, stderr=open(self.work / "stderr.txt", "wb"))
        self.wait_ready(10)

    def version(self):
        out = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr
        return out.strip().replace("nginx version: ", "")


class NodeRed(Target):
    """Node-RED 4 with one flow; `store` adds the append-to-file step."""

    def __init__(self, work, install_dir, store):
        self.name = "node-red-store" if store else "node-red"
        self.stores = store
        super().__init__(work)
        self.install_dir = install_dir
        self.store = store

    def flows(self):
        check_key = f"""
if (msg.req.params.key !== "{KEY}") {{
    msg.statusCode = 401;
    msg.payload = {{errors: [{{message: "You sent an invalid key."}}]}};
    return [null, msg];
}}
const event = msg.req.params.event;
const body = (typeof msg.payload === "object" && msg.payload) || {{}};
msg.reply = "Congratulations! You've fired the " + event + " event";
msg.payload = JSON.stringify({{event: event, value1: body.value1 || "",
    value2: body.value2 || "", value3: body.value3 || "",
    occurred_at: new Date().toISOString()}});
return [msg, null];
"""
        # Ids must not equal any property value (names included): Node-RED
        # takes such a value for a reference to a config node.
        nodes = [{"id": "bench.tab", "type": "tab", "label": self.name},
                 {"id": "bench.in", "type": "http in", "z": "bench.tab", "name": "trigger",
                  "url": "/trigger/:event/with/key/:key", "method": "post", "upload": False,
                  "wires": [["bench.check"]]},
                 {"id": "bench.check", "type": "function", "z": "bench.tab", "name": "check key",
                  "func": check_key, "outputs": 2,
                  "wires": [["bench.append" if self.store else "bench.reply"], ["bench.out"]]},
                 {"id": "bench.reply", "type": "function", "z": "bench.tab", "name": "reply",
                  "func": "msg.payload = msg.reply;\nreturn msg;", "outputs": 1,
                  "wires": [["bench.out"]]},
                 {"id": "bench.out", "type": "http response", "z": "bench.tab", "name": "",
                  "statusCode": "", "headers": {}, "wires": []}]
        if self.store:
            nodes.append({"id": "bench.append", "type": "file", "z": "bench.tab",
                          "name": "append event",
                          "filename": str(self.events_file), "filenameType": "str",
                          "appendNewline": True, "createDir": True, "overwriteFile": "false",
                          "encoding": "none", "wires": [["bench.reply"]]})
        return nodes

    def start(self):
        self.work.mkdir(parents=True)
        self.port = free_port()
        self.events_file = self.work / "events.jsonl"
        (self.work / "flows.json").write_text(json.dumps(self.flows(), indent=1))
        settings = self.work / "settings.js"
        settings.write_text(f"""// Generated by bench/hub_bench.py: no editor, no admin API, quiet logs.
module.exports = {{
    uiHost: "127.0.0.1",
    uiPort: {self.port},
    httpAdminRoot: false,
    httpNodeRoot: "/",
    userDir: {json.dumps(str(self.work))},
    flowFile: "flows.json",
    credentialSecret: false,
    diagnostics: {{ enabled: false }},
    runtimeState: {{ enabled: false }},
    telemetry: {{ enabled: false }},
    logging: {{ console: {{ level: "warn", metrics: false, audit: false }} }},
}};
""")
        red = self.install_dir / "node_modules" / "node-red" / "red.js"
        self.proc = subprocess.Popen(
            ["node", str(red), "-s", str(settings), "-u", str(self.work)],
            stdout=open(self.work / "stdout.txt", "wb"), stderr=subprocess.STDOUT)
        self.wait_ready(60)

    def stored(self):
        if not self.store:
            return None
        with open(self.events_file, "rb") as f:
            return sum(1 for _ in f)

    def version(self):
        package = self.install_dir / "node_modules" / "node-red" / "package.json"
        node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout
        return f"node-red {json.loads(package.read_text())['version']}, node {node.strip()}"


def node_red_installed(install_dir):
    return (install_dir / "node_modules" / "node-red" / "red.js").exists()


def install_node_red(install_dir):
    if node_red_installed(install_dir):
        return
    progress(f"installing node-red@4 into {install_dir} (npm, once)")
    install_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["npm", "install", "--prefix", str(install_dir), "--no-audit", "--no-fund",
                    "--omit=dev", "node-red@4"], check=True, stdout=subprocess.DEVNULL)


def run_wrk(target, seconds, args):
    """One wrk run; returns the figures of its `bench:` line plus CPU."""
    per_thread = args.connections // args.threads
    # wrk's own end is only a backstop: the run ends when every connection
    # has had its last reply (see trigger.lua), then SIGINT makes wrk report.
    duration = math.ceil(seconds + args.drain_limit)
    cmd = ["wrk", f"-t{args.threads}", f"-c{per_thread * args.threads}", f"-d{duration}s",
           "--timeout", f"{args.drain_limit:g}s", "-s", str(LUA),
           f"http://127.0.0.1:{target.port}", "--", KEY, f"{seconds:g}", str(per_thread)]
    pids = target.pids()
    commits_before = target.commit_figures()
    cpu_before = cpu_seconds(pids)
    idle_before, all_before = machine_ticks()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out, drained = [], 0
    for line in proc.stdout:
        out.append(line)
        if line.startswith("bench: drained"):
            drained += 1
            if drained == args.threads:
                proc.send_signal(signal.SIGINT)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu_after = cpu_seconds(pids)
    idle_after, all_after = machine_ticks()
    commits_after = target.commit_figures()
    out = "".join(out)
    match = re.search(r"^bench: (requests=.*)$", out, re.M)
    if proc.returncode != 0 or not match:
        raise RuntimeError(f"wrk failed against {target.name}:\n{out}")
    if drained < args.threads:
        progress(f"  {target.name}: replies still missing after the {args.drain_limit:g} s drain "
                 "limit; they are not counted")
    fig = {k: int(v) for k, v in (kv.split("=") for kv in match.group(1).split())}
    target.answered_200 += fig["ok"]
    fig["rps"] = fig["in_load"] / seconds
    fig["cpu"] = 100 * (cpu_after - cpu_before) / seconds
    fig["wrk_cpu"] = 100 * (usage.ru_utime + usage.ru_stime) / seconds
    fig["cpu_us"] = 1e6 * (cpu_after - cpu_before) / max(fig["ok"], 1)
    # The CPUs no process used: a target that leaves them idle is waiting
    # (on a disk, on hand-offs), not short of CPU.
    fig["idle"] = 100 * (idle_after - idle_before) / max(all_after - all_before, 1)
    if commits_before and commits_after:
        commits, writes, seconds_in_commit = (a - b for a, b in zip(commits_after, commits_before))
        if commits > 0:
            fig["writes_per_commit"] = writes / commits
            fig["commit_ms"] = 1000 * seconds_in_commit / commits
    return fig


def machine():
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return f"{os.cpu_count()} CPUs, {model}, {mem_kb / 1024 / 1024:.1f} GiB RAM"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiny", action="store_true",
                        help="a smoke run (~1 s rounds); for the test suite, numbers mean nothing")
    parser.add_argument("--targets", default=",".join(ALL_TARGETS),
                        help=f"comma-separated subset of {','.join(ALL_TARGETS)}")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10, help="load time of one round")
    parser.add_argument("--warmup", type=float, default=5, help="warm-up seconds per target")
    parser.add_argument("--drain-limit", type=float, default=30,
                        help="seconds to wait after the load for the last replies")
    parser.add_argument("--prime", type=int, default=200,
                        help="sequential requests per target before the warm-up")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--hub-bin", type=Path, default=ROOT / "build" / "bin" / "buttonhook-hub")
    parser.add_argument("--node-red-dir", type=Path,
                        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                        / "buttonhook" / "node-red",
                        help="where node-red@4 is installed (npm, on first use)")
    parser.add_argument("--base-hub-bin", type=Path,
                        help="another hub binary, measured as target hub-base in the same "
                        "rounds: before/after numbers for a change")
    parser.add_argument("--access-log", action="store_true",
                        help="keep the hub's access log (stderr) in a file instead of /dev/null")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    if args.tiny:
        args.rounds, args.seconds, args.warmup, args.prime = 2, 1, 0.5, 5

    targets = [t for t in args.targets.split(",") if t]
    unknown = set(targets) - set(ALL_TARGETS)
    if unknown:
        parser.error(f"unknown targets: {', '.join(sorted(unknown))}")
    if not shutil.which("wrk"):
        print("bench: wrk is not installed (apt-get install wrk); nothing measured",
              file=sys.stderr)
        return 77  # ctest: skipped
    if not args.hub_bin.exists():
        parser.error(f"no hub binary at {args.hub_bin} (./bh build)")

    # Missing peers: a full run installs Node-RED; a tiny run measures what is there.
    missing = []
    if "nginx" in targets and not shutil.which("nginx"):
        missing.append("nginx")
    if any(t.startswith("node-red") for t in targets):
        if not shutil.which("node"):
            missing += [t for t in targets if t.startswith("node-red")]
        elif not args.tiny:
            install_node_red(args.node_red_dir)
        elif not node_red_installed(args.node_red_dir):
            missing += [t for t in targets if t.startswith("node-red")]
    if missing and not args.tiny:
        print(f"bench: missing {', '.join(missing)} (./bh bench installs them)", file=sys.stderr)
        return 1
    for name in missing:
        progress(f"{name} is not installed: skipped")
    targets = [t for t in targets if t not in missing]
    if args.base_hub_bin:
        targets.insert(targets.index("hub") + 1 if "hub" in targets else 0, "hub-base")

    work = Path(tempfile.mkdtemp(prefix="buttonhook-bench-"))
    made = {"hub": lambda: Hub(work, args.hub_bin, args.access_log),
            "hub-base": lambda: Hub(work, args.base_hub_bin, args.access_log, "hub-base"),
            "nginx": lambda: Nginx(work),
            "node-red": lambda: NodeRed(work, args.node_red_dir, store=False),
            "node-red-store": lambda: NodeRed(work, args.node_red_dir, store=True)}
    running = []
    results = {t: [] for t in targets}
    try:
        for name in targets:
            progress(f"starting {name}")
            target = made[name]()
            running.append(target)
            target.start()
            target.prime(args.prime)
            progress(f"warm-up {args.warmup:g} s: {name}")
            run_wrk(target, args.warmup, args)
        load = os.getloadavg()[0]
        for r in range(args.rounds):
            order = running[r % len(running):] + running[:r % len(running)]
            for target in order:
                progress(f"round {r + 1}/{args.rounds}: {target.name} ({args.seconds:g} s)")
                fig = run_wrk(target, args.seconds, args)
                results[target.name].append(fig)
                if fig["other"] or fig["errors"]:
                    progress(f"  {target.name}: {fig['other']} non-200 replies, "
                             f"{fig['errors']} socket errors")
        versions = {t.name: t.version() for t in running}
    finally:
        for target in running:
            target.stop()

    # Stopped, so everything is flushed; now compare 200s with what was stored.
    bad = False
    stored = {}
    for target in running:
        if target.stores:
            stored[target.name] = target.stored()
            if stored[target.name] != target.answered_200:
                bad = True

    def median(name, key):
        return statistics.median(f[key] for f in results[name])

    print(f"# {time.strftime('%Y-%m-%d')}, {machine()}, load average {load:.2f} at the start")
    print(f"# wrk {args.threads} threads, {args.connections} connections, {args.rounds} rounds "
          f"of {args.seconds:g} s per target, medians; CPU in % of one core")
    for target in running:
        print(f"# {target.name}: {versions[target.name]}")
    for target in running:
        n = target.name
        print(f"{n} req/s: {median(n, 'rps'):.0f}")
        # The spread over the rounds: on a shared or virtual machine it can
        # be wider than the difference being measured.
        print(f"{n} req/s min: {min(f['rps'] for f in results[n]):.0f}")
        print(f"{n} req/s max: {max(f['rps'] for f in results[n]):.0f}")
        print(f"{n} p50 ms: {median(n, 'p50_us') / 1000:.2f}")
        print(f"{n} p99 ms: {median(n, 'p99_us') / 1000:.2f}")
        print(f"{n} cpu %: {median(n, 'cpu'):.0f}")
        print(f"{n} cpu us/req: {median(n, 'cpu_us'):.1f}")
        print(f"{n} wrk cpu %: {median(n, 'wrk_cpu'):.0f}")
        print(f"{n} machine idle %: {median(n, 'idle'):.0f}")
        if all("writes_per_commit" in f for f in results[n]):
            # The group commit, from the hub's /metrics: the batch size and
            # the time of one COMMIT (the WAL's write and its fsync).
            print(f"{n} writes per commit: {median(n, 'writes_per_commit'):.1f}")
            print(f"{n} commit ms: {median(n, 'commit_ms'):.2f}")
        if n in stored:
            print(f"{n} stored: {stored[n]} of {target.answered_200} answered 200")
    hub_rps = median("hub", "rps") if "hub" in results else None
    peers = (("hub-base",) if "hub-base" in results else ()) + ("node-red", "nginx", "node-red-store")
    # Each round's hub against the same round's peer (a minute apart at
    # most): how far the ratio moved while the machine drifted.
    for peer in peers:
        if hub_rps is not None and peer in results:
            per_round = [h["rps"] / p["rps"] for h, p in zip(results["hub"], results[peer]) if p["rps"]]
            if per_round:
                print(f"hub/{peer} per round min: {min(per_round):.2f}")
                print(f"hub/{peer} per round max: {max(per_round):.2f}")
    for peer in peers:
        if hub_rps is not None and peer in results:
            print(f"hub/{peer}: {hub_rps / median(peer, 'rps'):.2f}")
        elif hub_rps is not None:
            print(f"hub/{peer}: n/a ({peer} not measured)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        progress(f"work folder kept: {work}")
    if bad:
        print("bench: FAILED: a store does not hold exactly the events answered with 200",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
