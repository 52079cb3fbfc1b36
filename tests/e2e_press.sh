#!/usr/bin/env bash
# End to end: a virtual board presses its button, a real hub stores the event.
# Every check prints what it looked for; the first failure ends the test.
# Usage: tests/e2e_press.sh BIN_DIR
set -euo pipefail
BIN=$(cd "${1:?usage: e2e_press.sh BIN_DIR}" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/buttonhook-e2e.XXXXXX")
. "$(dirname "$0")/lib.sh"
trap 'stop_hub' EXIT

checks=0
fail() { echo "FAIL: $*" >&2; echo "--- sim output:" >&2; cat "$WORK/sim.out" >&2 2>/dev/null || true; exit 1; }
ok() { checks=$((checks + 1)); echo "ok - $*"; }
events() { curl -fsS "$HUB_URL/api/events?key=$KEY"; }
count_events() { events | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
sim() { "$BIN/buttonhook-sim" --no-color --config "$WORK/config.py" --dns "maker.ifttt.com=127.0.0.1:$HUB_PORT" "$@" >"$WORK/sim.out" 2>&1; }

KEY=e2e-$RANDOM$RANDOM
start_hub "$KEY"
write_config "$WORK/config.py" "http://maker.ifttt.com/trigger/button_pressed/with/key/$KEY" micropython1

# 1. Power-on: no webhook, straight to deep sleep.
sim power-on || fail "sim exited $? on power-on"
grep -q 'reset cause 0' "$WORK/sim.out" || fail "power-on did not report reset cause 0"
grep -q '\* deep sleep' "$WORK/sim.out" || fail "power-on did not end in deep sleep"
! grep -q 'Invoking webhook' "$WORK/sim.out" || fail "power-on invoked the webhook"
[ "$(count_events)" = 0 ] || fail "power-on stored an event"
ok "power-on: no webhook, deep sleep"

# 2. A press: the tutorial's lines, one event with value1 = BUTTON_ID.
sim power-on advance 5 press || fail "sim exited $? on press"
for line in 'Connecting to WiFi...' 'Network config: (' 'Invoking webhook' 'Webhook invoked'; do
  grep -qF "$line" "$WORK/sim.out" || fail "serial output lacks '$line'"
done
grep -q 'reset cause 5' "$WORK/sim.out" || fail "the press did not wake with reset cause 5"
! grep -q 'correct horse battery' "$WORK/sim.out" || fail "the Wi-Fi password was printed"
events | python3 -c '
import json, sys
ev = json.load(sys.stdin)
assert len(ev) == 1, "expected 1 event, got %d" % len(ev)
assert ev[0]["event"] == "button_pressed", ev[0]
assert ev[0]["value1"] == "micropython1", ev[0]
' || fail "the hub did not store exactly one button_pressed event with value1=micropython1"
ok "press: webhook invoked, hub stored value1=micropython1"

# 3. The log applet printed the tutorial's email text.
for _ in $(seq 1 40); do grep -q '^Button: micropython1' "$WORK/hub.out" && break; sleep 0.05; done
grep -q '^What: button_pressed' "$WORK/hub.out" || fail "the log applet did not print 'What: button_pressed'"
grep -q '^Button: micropython1' "$WORK/hub.out" || fail "the log applet did not print 'Button: micropython1'"
ok "log applet: What/When/Button"

# 4. A wrong key: the hub answers 401, the board blinks and still sleeps.
write_config "$WORK/config.py" "http://maker.ifttt.com/trigger/button_pressed/with/key/wrong-key" micropython1
sim power-on press || fail "sim exited $? with a wrong key"
grep -q 'Webhook failed' "$WORK/sim.out" || fail "a 401 was not reported as 'Webhook failed'"
grep -q 'HTTP 401' "$WORK/sim.out" || fail "the 401 status was not printed"
[ "$(grep -c 'LED D4 (GPIO2)' "$WORK/sim.out")" -ge 6 ] || fail "the LEDs did not blink"
[ "$(count_events)" = 1 ] || fail "a request with a wrong key stored an event"
ok "wrong key: 401, Webhook failed, LEDs blink, nothing stored"

# 5. The hub is down: connection refused, reported, board sleeps, exit 0.
write_config "$WORK/config.py" "http://maker.ifttt.com/trigger/button_pressed/with/key/$KEY" micropython1
port=$HUB_PORT
stop_hub
HUB_PORT=$port
sim power-on press || fail "sim exited $? with the hub down"
grep -q 'Webhook failed' "$WORK/sim.out" || fail "a refused connection was not reported"
grep -q 'connect-failed' "$WORK/sim.out" || fail "the error did not say connect-failed"
grep -q '\* deep sleep' "$WORK/sim.out" || fail "the board did not sleep after the failure"
ok "hub down: connect-failed reported, deep sleep"

echo "$checks passed, 0 failed"
