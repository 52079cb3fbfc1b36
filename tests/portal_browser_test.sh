#!/usr/bin/env bash
# The setup portal end to end: a virtual board without config.py starts its
# access point and setup page; headless Chromium fills the form and saves;
# the board restarts into button mode; its next press reaches a real hub.
# Usage: tests/portal_browser_test.sh BIN_DIR    (exit 77: no browser, skipped)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "${1:?usage: portal_browser_test.sh BIN_DIR}" && pwd)
. "$HERE/browser_env.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/buttonhook-portal.XXXXXX")
. "$HERE/lib.sh"
SIM_PID=
cleanup() {
  [ -n "$SIM_PID" ] && kill -TERM "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
  stop_hub
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- sim output:" >&2; cat "$WORK"/sim*.out >&2 2>/dev/null || true; exit 1; }
ok() { echo "ok - $*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() {  # wait_for FILE TEXT SECONDS
  for _ in $(seq 1 $(($3 * 20))); do grep -qF "$2" "$1" && return 0; sleep 0.05; done
  return 1
}

KEY=portal-$RANDOM$RANDOM
start_hub "$KEY"
mkdir -p "$WORK/files"
cat >"$WORK/world.toml" <<TOML
[[ap]]
ssid = "buttonhook-demo"
password = "correct horse battery"
rssi = -55

[[ap]]
ssid = "NETGEAR99"
password = "another network"
rssi = -72

[dns]
"maker.ifttt.com" = "127.0.0.1:$HUB_PORT"
TOML

# 1. No config.py: the portal starts, with a per-board WPA2 password.
PORT=$(free_port)
"$BIN/buttonhook-sim" --no-color --world "$WORK/world.toml" --files "$WORK/files" \
  --portal-port "$PORT" power-on wait >"$WORK/sim1.out" 2>&1 &
SIM_PID=$!
wait_for "$WORK/sim1.out" "Setup portal: join Wi-Fi" 20 || fail "the portal did not start"
line=$(grep -F "Setup portal: join Wi-Fi" "$WORK/sim1.out")
echo "$line" | grep -qE "join Wi-Fi 'Buttonhook-C0FFEE' with password '[a-z2-9]{10}'" ||
  fail "the log does not name the access point and its password: $line"
! echo "$line" | grep -qi "micropythoN" || fail "the well-known default password"
ok "portal started: $line"

# 2. The browser fills the form and saves.
node "$HERE/portal_browser.cjs" "http://127.0.0.1:$PORT/" buttonhook-demo "correct horse battery" \
  "http://maker.ifttt.com/trigger/button_pressed/with/key/$KEY" "hall button" c0ns0le ||
  fail "the browser test failed"

# 3. The board restarts into button mode and sleeps.
wait_for "$WORK/sim1.out" "* deep sleep" 20 || fail "the board did not restart into button mode"
grep -q "reset cause 4 (soft restart)" "$WORK/sim1.out" || fail "no soft restart"
kill -TERM "$SIM_PID"; wait "$SIM_PID" || true; SIM_PID=
grep -qF "BUTTON_ID = 'hall button'" "$WORK/files/config.py" || fail "config.py: $(cat "$WORK/files/config.py")"
grep -qF "PASS = 'c0ns0le'" "$WORK/files/webrepl_cfg.py" || fail "webrepl_cfg.py not written"
ok "config.py and webrepl_cfg.py saved; restarted into button mode"

# 4. The same board (same filesystem), next press: the hub stores the event.
"$BIN/buttonhook-sim" --no-color --world "$WORK/world.toml" --files "$WORK/files" \
  power-on press >"$WORK/sim2.out" 2>&1 || fail "sim exited $?"
grep -q "Webhook invoked" "$WORK/sim2.out" || fail "the press did not reach the hub"
curl -fsS "$HUB_URL/api/events?key=$KEY" | python3 -c '
import json, sys
ev = json.load(sys.stdin)
assert len(ev) == 1 and ev[0]["value1"] == "hall button", ev
' || fail "the hub did not store the press with value1 = 'hall button'"
ok "the next press reached the hub (value1 = 'hall button')"
echo "4 passed, 0 failed"
