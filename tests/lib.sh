# Shared by the demo and the end-to-end tests: start and stop a real hub.
# Source it; needs BIN (the build's bin directory) and WORK (a scratch dir).

# start_hub KEY: starts buttonhook-hub on a free port with a SQLite file in
# $WORK; sets HUB_PID, HUB_PORT, HUB_URL. Its stdout (the log applet) goes to
# $WORK/hub.out, its access log to $WORK/hub.err.
start_hub() {
  local key=$1
  "$BIN/buttonhook-hub" serve --listen 127.0.0.1:0 --db "$WORK/hub.db" --key "$key" \
    >"$WORK/hub.out" 2>"$WORK/hub.err" &
  HUB_PID=$!
  local i
  for i in $(seq 1 100); do
    HUB_PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$WORK/hub.out" | head -1)
    [ -n "$HUB_PORT" ] && break
    if ! kill -0 "$HUB_PID" 2>/dev/null; then
      echo "the hub did not start:" >&2
      cat "$WORK/hub.err" >&2
      return 1
    fi
    sleep 0.05
  done
  [ -n "$HUB_PORT" ] || { echo "the hub did not say where it listens within 5 s" >&2; return 1; }
  HUB_URL="http://127.0.0.1:$HUB_PORT"
}

stop_hub() {
  [ -n "${HUB_PID:-}" ] || return 0
  kill -TERM "$HUB_PID" 2>/dev/null || true
  wait "$HUB_PID" 2>/dev/null || true
  HUB_PID=
}

# write_config FILE URL BUTTON_ID: the tutorial's config.py, pointing at URL.
write_config() {
  cat >"$1" <<CFG
WIFI_SSID = 'buttonhook-demo'
WIFI_PASSWORD = 'correct horse battery'
WEBHOOK_URL = '$2'
BUTTON_ID = '$3'
LED_PIN = 2 # D4
LED2_PIN = 16 # D0
DEBUG_PIN = 14 # D5
CFG
}
