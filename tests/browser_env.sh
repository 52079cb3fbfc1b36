#!/usr/bin/env bash
# For browser tests: Debian's chromium and playwright-core from npm.
# Source it. Sets CHROMIUM (the browser) and NODE_PATH (where playwright-core
# is, installed into ~/.cache/buttonhook/npm on first use; never into the
# repository). Exits 77 (skipped) when chromium, node or npm is missing or
# the install fails.
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ] || ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIPPED: needs chromium, node and npm (apt-get install chromium nodejs npm)"
  exit 77
fi
BH_NPM_DIR=${BH_NPM_DIR:-$HOME/.cache/buttonhook/npm}
if [ ! -d "$BH_NPM_DIR/node_modules/playwright-core" ]; then
  mkdir -p "$BH_NPM_DIR"
  if ! npm install --prefix "$BH_NPM_DIR" --no-audit --no-fund --silent playwright-core@1 >&2; then
    echo "SKIPPED: npm install playwright-core failed"
    exit 77
  fi
fi
export CHROMIUM NODE_PATH="$BH_NPM_DIR/node_modules${NODE_PATH:+:$NODE_PATH}"
