#!/usr/bin/env bash
# The demo: a real hub on 127.0.0.1 with a SQLite file, a virtual board whose
# config.py is the tutorial's (its WEBHOOK_URL names maker.ifttt.com, which
# the virtual world points at our hub), power-on, one press, then what the hub
# stored and what its applet did.
# Usage: tests/demo.sh BIN_DIR
set -euo pipefail
BIN=$(cd "${1:?usage: demo.sh BIN_DIR}" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/buttonhook-demo.XXXXXX")
. "$(dirname "$0")/lib.sh"
trap 'stop_hub' EXIT

bold() { if [ -t 1 ]; then printf '\n\033[1m%s\033[0m\n' "$*"; else printf '\n%s\n' "$*"; fi; }

KEY=demo-key-$RANDOM$RANDOM
start_hub "$KEY"
bold "Hub: listening on $HUB_URL, events in $WORK/hub.db"

write_config "$WORK/config.py" "http://maker.ifttt.com/trigger/button_pressed/with/key/$KEY" micropython1
bold "The board's config.py (the tutorial's; the world sends maker.ifttt.com to our hub):"
sed 's/^\(WIFI_PASSWORD = \).*/\1(hidden)/' "$WORK/config.py"

bold "Virtual board: power-on (no webhook, straight to deep sleep), then a press of the button:"
"$BIN/buttonhook-sim" --config "$WORK/config.py" --dns "maker.ifttt.com=127.0.0.1:$HUB_PORT" \
  --timeline "$WORK/timeline.json" power-on advance 10 press

bold "A press with a wrong key in config.py: the hub refuses it, the LEDs show the error:"
write_config "$WORK/bad-key.py" "http://maker.ifttt.com/trigger/button_pressed/with/key/not-the-key" micropython1
"$BIN/buttonhook-sim" --config "$WORK/bad-key.py" --dns "maker.ifttt.com=127.0.0.1:$HUB_PORT" \
  power-on advance 10 press | grep -v '^\[ *0\.' || true

bold "What the hub received (GET /api/events):"
curl -fsS "$HUB_URL/api/events?key=$KEY" | python3 -c '
import json, sys
events = json.load(sys.stdin)
for e in events:
    print("  #%s %-16s value1=%-14s at %s" % (e["id"], e["event"], e.get("value1", ""), e["occurred_at"]))
print("  (%d event%s)" % (len(events), "" if len(events) == 1 else "s"))
sys.exit(0 if len(events) == 1 and events[0].get("value1") == "micropython1" else 1)
''' || { echo "demo failed: the hub should hold exactly the one press; see $WORK/hub.err" >&2; exit 1; }

# The log applet runs right after the commit; give it a moment.
for _ in $(seq 1 40); do grep -q '^Button: ' "$WORK/hub.out" && break; sleep 0.05; done
bold "What its applet did (the tutorial's email, from the \"log\" applet):"
grep -v '^listening on ' "$WORK/hub.out" | sed 's/^/  /'
grep -q '^Button: micropython1' "$WORK/hub.out" || { echo "demo failed: the log applet did not run" >&2; exit 1; }

bold "Try it yourself:"
echo "  curl -X POST -H \"Content-Type: application/json\" -d '{\"value1\":\"micropython1\"}' \\"
echo "       $HUB_URL/trigger/button_pressed/with/key/$KEY"
echo "  (the hub stops when this demo ends; ./bh hub serve ... runs one for good)"
echo "  timeline of the press: $WORK/timeline.json"
