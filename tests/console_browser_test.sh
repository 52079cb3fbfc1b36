#!/usr/bin/env bash
# MicroPython's webrepl.html (not part of this repository: $WEBREPL_DIR, or
# ~/.cache/buttonhook/webrepl from a checkout of micropython/webrepl) in
# headless Chromium against the console of a virtual board started with the
# scripts' contract. Skipped (77) without the client or a browser.
# Usage: tests/console_browser_test.sh BIN_DIR
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "${1:?usage: console_browser_test.sh BIN_DIR}" && pwd)
WEBREPL_DIR=${WEBREPL_DIR:-$HOME/.cache/buttonhook/webrepl}
if [ ! -f "$WEBREPL_DIR/webrepl.html" ]; then
  echo "SKIPPED: no webrepl.html in $WEBREPL_DIR (set WEBREPL_DIR to a micropython/webrepl checkout)"
  exit 77
fi
. "$HERE/browser_env.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/buttonhook-webrepl.XXXXXX")
SIM_PID=
cleanup() {
  [ -n "$SIM_PID" ] && kill -TERM "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; cat "$WORK/sim.out" >&2 2>/dev/null || true; exit 1; }

mkdir -p "$WORK/files"
. "$HERE/lib.sh"
write_config "$WORK/config.py" "http://maker.ifttt.com/trigger/button_pressed/with/key/k" browser1
echo "PASS = 'br0wser'" >"$WORK/files/webrepl_cfg.py"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN/buttonhook-sim" --no-color --config "$WORK/config.py" --files "$WORK/files" \
  --console-port "$PORT" jumper-on power-on wait >"$WORK/sim.out" 2>&1 &
SIM_PID=$!
for _ in $(seq 1 200); do grep -q "WebREPL server started" "$WORK/sim.out" && break; sleep 0.05; done
grep -q "WebREPL server started" "$WORK/sim.out" || fail "the console did not start"

# A binary file of three chunks and a bit, every byte value.
python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 37 + i // 256) & 255 for i in range(800)))' \
  >"$WORK/blob.bin"
node "$HERE/console_browser.cjs" "$WEBREPL_DIR/webrepl.html" "ws://127.0.0.1:$PORT/" br0wser \
  "$WORK/blob.bin" || fail "webrepl.html in Chromium"
cmp "$WORK/blob.bin" "$WORK/files/blob.bin" || fail "the file on the board differs"
echo "5 passed, 0 failed"
