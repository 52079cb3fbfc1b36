#!/usr/bin/env python3
"""`./bh bench press`: what one button press costs, under each connect strategy.

The virtual board (buttonhook-sim) runs the same firmware and presses the
same button against a real hub on 127.0.0.1; for HTTPS a real nginx with a
certificate made by `openssl` for this run sits in front of the hub. Time and
current come from the timing and power models (sim/data/*.toml, with their
sources); the traffic is real.

Strategies (the same press, PRESSES times each, one board run per strategy):
  tutorial       the tutorial's flow: every press scans all channels and asks
                 DHCP (a board with no cache: power cycled before each press)
  cached         BSSID and channel from RTC memory, DHCP still asked
                 (REUSE_LEASE = False)
  static-ip      cached BSSID/channel + STATIC_IP: no scan, no DHCP (the fast path)
  https-full     the fast path, https://, a full TLS handshake every press
                 (the server keeps no sessions)
  https-resumed  the fast path, https://, the TLS session from RTC memory resumed

Per strategy: the median wake-to-sleep time and charge over the presses,
and battery life on 2xAA and on an 18650 at 1, 10 and 50 presses a day,
deep-sleep floor included. One figure a line on stdout, ending with
`fast path wake-to-sleep ms: N` and `tutorial/fast charge ratio: R`.
Each strategy's median press is drawn as an SVG timeline (--svg-dir).
Progress goes to stderr. A press that fails exits 1; slow numbers never do.
"""

import argparse
import json
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from hub_bench import free_port, progress  # noqa: E402  (the hub bench's helpers)
KEY = "press-bench-7c1e"
SSID = "buttonhook-bench"
PASSWORD = "correct horse battery"

# Battery assumptions (stated in the output and docs/benchmarks.md).
# 2xAA alkaline straight on 3V3 (docs/real-board.md): the ESP8266 needs
# 2.5 V, i.e. 1.25 V a cell, and alkaline cells sag under the 170 mA
# transmit peaks; about 1500 mAh of a cell's ~2500 mAh is delivered above
# that. No regulator: the floor is the chip's deep sleep alone.
AA_MAH = 1500.0
AA_FLOOR_UA = 20.0
# 18650 Li-ion through a low-quiescent LDO (MCP1700: 1.6 uA typical); the
# issue's 1800 mAh, all of it usable down to the protection cut-off.
LI_MAH = 1800.0
LI_FLOOR_UA = 20.0 + 1.6
RATES = (1, 10, 50)

STRATEGIES = [
    # name, title, https, static ip, reuse lease, server keeps TLS sessions, cold every press
    ("tutorial", "Tutorial: full scan + DHCP, HTTP", False, False, True, None, True),
    ("cached", "Cached BSSID/channel, DHCP, HTTP", False, False, False, None, False),
    ("static-ip", "Cached BSSID/channel + static IP, HTTP (fast path)", False, True, True, None,
     False),
    ("https-full", "Fast path, HTTPS, full TLS handshake", True, True, True, False, False),
    ("https-resumed", "Fast path, HTTPS, TLS session resumed from RTC memory", True, True, True,
     True, False),
]


def wait_port(port, proc, what, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited at start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} does not listen on {port}")


def start_hub(hub_bin, work):
    out_path = work / "hub.out"
    with open(out_path, "wb") as out:
        proc = subprocess.Popen([str(hub_bin), "serve", "--listen", "127.0.0.1:0", "--db",
                                 str(work / "hub.db"), "--key", KEY],
                                stdout=out, stderr=open(work / "hub.err", "wb"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        m = re.search(rb"listening on http://127\.0\.0\.1:(\d+)", out_path.read_bytes()[:300])
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError("the hub did not start: " + (work / "hub.err").read_text()[-500:])


def make_pki(work):
    """A CA and a certificate for hub.test signed by it, made for this run."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    run = lambda *a: subprocess.run(a, check=True, capture_output=True, cwd=work)
    run("openssl", "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=Buttonhook bench CA")
    run("openssl", "req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj",
        "/CN=hub.test")
    (work / "san.ext").write_text("subjectAltName=DNS:hub.test\n")
    run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "server.pem")


def start_tls_front(work, hub_port):
    """nginx: TLS on two ports in front of the hub, one with a session cache
    (resumption by session ID, as BearSSL does it; no tickets), one without."""
    resume_port, full_port = free_port(), free_port()
    temp = {k: work / f"nginx-{k}" for k in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    server = lambda port, cache: f"""
  server {{
    listen 127.0.0.1:{port} ssl;
    server_name hub.test;
    ssl_certificate {work}/server.pem;
    ssl_certificate_key {work}/server.key;
    ssl_protocols TLSv1.2;
    ssl_session_tickets off;
    ssl_session_cache {cache};
    location / {{ proxy_pass http://127.0.0.1:{hub_port}; }}
  }}"""
    conf = work / "nginx.conf"
    conf.write_text(f"""daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
  access_log {work}/nginx-access.log;
  client_body_temp_path {temp['body']};
  proxy_temp_path {temp['proxy']};
  fastcgi_temp_path {temp['fastcgi']};
  uwsgi_temp_path {temp['uwsgi']};
  scgi_temp_path {temp['scgi']};
  log_format tls '$ssl_session_reused $status';
  access_log {work}/nginx-tls.log tls;
{server(resume_port, "shared:BH:1m")}
{server(full_port, "off")}
}}
""")
    proc = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(work), "-e",
                             str(work / "nginx-error.log")],
                            stdout=subprocess.DEVNULL, stderr=open(work / "nginx.err", "wb"))
    wait_port(resume_port, proc, "nginx")
    wait_port(full_port, proc, "nginx")
    return proc, resume_port, full_port


def board_files(work, name, https, static_ip, reuse_lease, url):
    d = work / f"board-{name}"
    d.mkdir()
    lines = [f"WIFI_SSID = '{SSID}'", f"WIFI_PASSWORD = '{PASSWORD}'", f"WEBHOOK_URL = '{url}'",
             f"BUTTON_ID = 'bench-{name}'"]
    if static_ip:
        lines += ["STATIC_IP = '192.168.0.50'", "GATEWAY = '192.168.0.1'"]
    if not reuse_lease:
        lines.append("REUSE_LEASE = False")
    if https:
        lines.append("TLS_CA = 'ca.pem'")
        shutil.copy(work / "ca.pem", d / "ca.pem")
    (d / "config.py").write_text("\n".join(lines) + "\n")
    return d


def run_board(sim_bin, files, dns, presses, cold, seed, timeline):
    if cold:
        # Power lost before each press: RTC memory, and with it every cache, is gone.
        events = []
        for _ in range(presses):
            events += ["power-on", "advance", "1", "press", "advance", "5", "power-off",
                       "advance", "1"]
    else:
        events = ["power-on", "advance", "1", "press", "advance", "5"]  # warm-up press
        for _ in range(presses):
            events += ["press", "advance", "5"]
    cmd = [str(sim_bin), "--no-color", "--files", str(files), "--dns", dns, "--seed", str(seed),
           "--timeline", str(timeline)] + events
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"buttonhook-sim exited {out.returncode}:\n{out.stdout[-2000:]}"
                           f"{out.stderr[-1000:]}")
    return out.stdout, json.loads(timeline.read_text())


def press_wakes(tl, cold):
    """The measured presses: deep-sleep wakes (the warm-up press excluded),
    each with its state segments, and whether the webhook went out."""
    wakes = [w for w in tl["wakes"] if w["cause"] == "deep-sleep wake"]
    if not cold:
        wakes = wakes[1:]
    result = []
    for w in wakes:
        segs = [s for s in tl["states"] if w["start"] <= s["t"] < w["end"]]
        lines = [e["text"] for e in tl["events"] if w["start"] <= e["t"] <= w["end"]]
        result.append({"awake_s": w["awake_s"], "mas": w["charge_mas"], "segments": segs,
                       "start": w["start"], "end": w["end"], "lines": lines})
    return result


def days(mah, floor_ua, per_press_mas, per_day):
    per_day_mah = floor_ua * 24 / 1000 + per_day * per_press_mas / 3600
    return mah / per_day_mah


# ---------------------------------------------------------------- SVG -----

COLORS = {
    "booting": "#9e9e9e", "scanning": "#e53935", "associating": "#fb8c00", "dhcp": "#fdd835",
    "tls-handshake": "#8e24aa", "tx": "#1e88e5", "rx": "#43a047", "idle-awake": "#90a4ae",
    "listen": "#6d4c41",
}
LABELS = {"booting": "boot", "scanning": "scan", "associating": "assoc", "dhcp": "DHCP",
          "tls-handshake": "TLS handshake", "tx": "radio tx", "rx": "radio rx", "idle-awake": "CPU",
          "listen": "listen"}


def svg_timeline(title, press, path):
    w, h, left, right, top, bottom = 760, 300, 60, 20, 46, 56
    plot_w, plot_h = w - left - right, h - top - bottom
    t0, t1 = press["start"], press["end"]
    span = max(t1 - t0, 1e-6)
    max_ma = 180.0
    x = lambda t: left + (t - t0) / span * plot_w
    y = lambda ma: top + plot_h - ma / max_ma * plot_h
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="11">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{left}" y="18" font-size="13" font-weight="bold">{title}</text>',
           f'<text x="{left}" y="34">wake to sleep {press["awake_s"] * 1000:.0f} ms, '
           f'{press["mas"]:.1f} mAs ({press["mas"] / 3.6:.1f} µAh); current against time, '
           f'from the timing and power models</text>']
    # Axes and grid.
    for ma in (0, 50, 100, 150):
        out.append(f'<line x1="{left}" y1="{y(ma):.1f}" x2="{w - right}" y2="{y(ma):.1f}" '
                   f'stroke="#e0e0e0"/>')
        out.append(f'<text x="{left - 6}" y="{y(ma) + 4:.1f}" text-anchor="end">{ma}</text>')
    out.append(f'<text x="14" y="{top + plot_h / 2}" transform="rotate(-90 14 {top + plot_h / 2})"'
               f' text-anchor="middle">mA</text>')
    step = next(s for s in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5) if span / s <= 10)
    k = 0
    while k * step <= span + 1e-9:
        xv = left + k * step / span * plot_w
        out.append(f'<line x1="{xv:.1f}" y1="{top + plot_h}" x2="{xv:.1f}" '
                   f'y2="{top + plot_h + 4}" stroke="black"/>')
        out.append(f'<text x="{xv:.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
                   f'{k * step:g}</text>')
        k += 1
    out.append(f'<text x="{left + plot_w / 2}" y="{top + plot_h + 30}" text-anchor="middle">'
               f'seconds since the press</text>')
    # Segments: a filled bar per state, labelled when there is room.
    segs = press["segments"]
    for i, s in enumerate(segs):
        a = s["t"]
        b = segs[i + 1]["t"] if i + 1 < len(segs) else t1
        color = COLORS.get(s["state"], "#607d8b")
        x0, x1 = x(a), x(b)
        out.append(f'<rect x="{x0:.2f}" y="{y(s["ma"]):.2f}" width="{max(x1 - x0, 0.5):.2f}" '
                   f'height="{top + plot_h - y(s["ma"]):.2f}" fill="{color}" fill-opacity="0.85">'
                   f'<title>{s["state"]}: {(b - a) * 1000:.1f} ms at {s["ma"]:.1f} mA</title>'
                   f'</rect>')
        if x1 - x0 >= 34:
            out.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{y(s["ma"]) - 4:.1f}" '
                       f'text-anchor="middle">{LABELS.get(s["state"], s["state"])}</text>')
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{w - right}" y2="{top + plot_h}" '
               f'stroke="black"/>')
    # Legend: the states this press went through.
    seen = []
    for s in segs:
        if s["state"] not in seen:
            seen.append(s["state"])
    lx = left
    for st in seen:
        out.append(f'<rect x="{lx}" y="{h - 14}" width="10" height="10" '
                   f'fill="{COLORS.get(st, "#607d8b")}"/>')
        out.append(f'<text x="{lx + 14}" y="{h - 5}">{LABELS.get(st, st)}</text>')
        lx += 24 + 7 * len(LABELS.get(st, st))
    out.append("</svg>")
    path.write_text("\n".join(out) + "\n")


# ---------------------------------------------------------------- main ----

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sim-bin", required=True)
    ap.add_argument("--hub-bin", required=True)
    ap.add_argument("--presses", type=int, default=20, help="presses per strategy (default 20)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tiny", action="store_true", help="2 presses a strategy, no SVGs: a smoke run")
    ap.add_argument("--svg-dir", default=str(ROOT / "docs"),
                    help="where the timelines go (default docs/)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    presses = 2 if args.tiny else args.presses

    work = Path(tempfile.mkdtemp(prefix="buttonhook-press-bench."))
    procs = []
    try:
        hub, hub_port = start_hub(args.hub_bin, work)
        procs.append(hub)
        https_ok = shutil.which("nginx") and shutil.which("openssl")
        if https_ok:
            make_pki(work)
            nginx, resume_port, full_port = start_tls_front(work, hub_port)
            procs.append(nginx)
        else:
            print("bench: nginx or openssl missing: the HTTPS strategies are skipped",
                  file=sys.stderr)
        path = f"/trigger/button_pressed/with/key/{KEY}"
        results = {}
        for name, title, https, static_ip, reuse, keeps_sessions, cold in STRATEGIES:
            if https and not https_ok:
                continue
            if https:
                port = resume_port if keeps_sessions else full_port
                url, dns = f"https://hub.test{path}", f"hub.test=127.0.0.1:{port}"
            else:
                url, dns = f"http://maker.ifttt.com{path}", f"maker.ifttt.com=127.0.0.1:{hub_port}"
            files = board_files(work, name, https, static_ip, reuse, url)
            progress(f"{name}: {presses} presses")
            stdout, tl = run_board(args.sim_bin, files, dns, presses, cold, args.seed,
                                   work / f"{name}.json")
            wakes = press_wakes(tl, cold)
            bad = [p for p in wakes if not any(l == "Webhook invoked" for l in p["lines"])]
            if len(wakes) != presses or bad:
                print(f"FAILED: {name}: {len(bad)} of {len(wakes)} presses did not deliver\n"
                      + stdout[-3000:], file=sys.stderr)
                return 1
            if https and keeps_sessions and not any("TLS: session resumed" in l
                                                     for p in wakes for l in p["lines"]):
                print(f"FAILED: {name}: no press resumed its TLS session", file=sys.stderr)
                return 1
            med_s = statistics.median(p["awake_s"] for p in wakes)
            med_mas = statistics.median(p["mas"] for p in wakes)
            # The press drawn: the one nearest the median charge.
            drawn = min(wakes, key=lambda p: abs(p["mas"] - med_mas))
            results[name] = {"title": title, "s": med_s, "mas": med_mas, "drawn": drawn,
                             "min_s": min(p["awake_s"] for p in wakes),
                             "max_s": max(p["awake_s"] for p in wakes)}
        if https_ok:
            log = (work / "nginx-tls.log").read_text().split()
            progress(f"nginx saw {log[0::2].count('r')} resumed TLS sessions of "
                     f"{len(log) // 2} requests")

        print(f"press bench: {presses} presses per strategy, seed {args.seed}, "
              f"models sim/data/timing.toml + power.toml")
        print(f"battery 2xAA: {AA_MAH:.0f} mAh usable (alkaline to 1.25 V/cell, no regulator), "
              f"floor {AA_FLOOR_UA:g} uA = {AA_FLOOR_UA * 24 / 1000:.3f} mAh/day")
        print(f"battery 18650: {LI_MAH:.0f} mAh usable (MCP1700 LDO), floor {LI_FLOOR_UA:g} uA = "
              f"{LI_FLOOR_UA * 24 / 1000:.3f} mAh/day")
        for name, r in results.items():
            print(f"{name} wake-to-sleep ms: {r['s'] * 1000:.0f} "
                  f"(min {r['min_s'] * 1000:.0f}, max {r['max_s'] * 1000:.0f})")
            print(f"{name} charge mAs: {r['mas']:.2f}")
            print(f"{name} charge uAh: {r['mas'] / 3.6:.2f}")
            for battery, mah, floor in (("2xAA", AA_MAH, AA_FLOOR_UA),
                                        ("18650", LI_MAH, LI_FLOOR_UA)):
                print(f"{name} days {battery}: " + " ".join(
                    f"{days(mah, floor, r['mas'], n):.0f}@{n}/day" for n in RATES))
        if not args.tiny:
            svg_dir = Path(args.svg_dir)
            svg_dir.mkdir(parents=True, exist_ok=True)
            for name, r in results.items():
                svg_timeline(r["title"], r["drawn"], svg_dir / f"press-{name}.svg")
            progress(f"timelines: {svg_dir}/press-*.svg")
        fast = results["static-ip"]
        print(f"fast path wake-to-sleep ms: {fast['s'] * 1000:.0f}")
        print(f"tutorial/fast charge ratio: {results['tutorial']['mas'] / fast['mas']:.1f}")
        return 0
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
        if args.keep:
            progress(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
