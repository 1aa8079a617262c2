#!/usr/bin/env bash
# `npm start`: TRUCE in a real VS Code, in your browser, on the example workspace.
#
#   bash scripts/start.sh [--port N] [--folder DIR] [--fresh] [--desktop]
#
# What it does:
#   1. installs what is missing: npm packages; code-server 4.100.3 into .vscode-test/ (on Debian
#      as root also the apt packages it builds with; elsewhere it says what to install);
#   2. builds and packages the extension (`npm run package` → out/truce.vsix);
#   3. installs the .vsix into a fresh extensions folder, .vscode-test/start/extensions;
#   4. starts code-server on 127.0.0.1 (port $PORT, --port, or a free one) on examples/debate-mas
#      (or examples/ when that folder is missing) and prints the URL to open;
#   5. runs until Ctrl-C, then ends code-server's whole process group.
# Settings and window state persist in .vscode-test/start/user-data; --fresh starts from scratch.
#
# Without code-server (it cannot be installed here) but with desktop VS Code's `code` command,
# it offers `code --extensionDevelopmentPath=<repo> <folder>` instead, which runs the extension
# from source in desktop VS Code; --desktop goes straight there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib/deps.sh
source "$ROOT/scripts/lib/deps.sh"

PORT="${PORT:-}"
FOLDER=""
FRESH=0
DESKTOP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT="$2"; shift ;;
    --folder) FOLDER="$2"; shift ;;
    --fresh) FRESH=1 ;;
    --desktop) DESKTOP=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "start.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ -z "$FOLDER" ]; then
  if [ -d "$ROOT/examples/debate-mas" ]; then FOLDER="$ROOT/examples/debate-mas"; else FOLDER="$ROOT/examples"; fi
fi
[ -d "$FOLDER" ] || { echo "start.sh: the folder to open does not exist: $FOLDER" >&2; exit 1; }
FOLDER="$(cd "$FOLDER" && pwd)"

if [ -t 1 ]; then BOLD=$'\033[1m' GREEN=$'\033[1;32m' OFF=$'\033[0m'; else BOLD='' GREEN='' OFF=''; fi
say() { printf '%s[start]%s %s\n' "$BOLD" "$OFF" "$*"; }

# Desktop VS Code loads the extension from the repository itself, so only a build is needed.
launch_desktop() {
  say "building the extension (node scripts/build.mjs)"
  node scripts/build.mjs
  say "opening desktop VS Code: code --extensionDevelopmentPath=$ROOT $FOLDER"
  exec code --extensionDevelopmentPath="$ROOT" "$FOLDER"
}

ensure_node_modules

if [ "$DESKTOP" = 1 ]; then
  command -v code >/dev/null 2>&1 || { echo "start.sh: --desktop needs VS Code's 'code' command on PATH" >&2; exit 1; }
  launch_desktop
fi

if ! ensure_code_server; then
  if command -v code >/dev/null 2>&1; then
    say "code-server is not available, but desktop VS Code is: code --extensionDevelopmentPath=$ROOT $FOLDER"
    if [ -t 0 ]; then
      read -r -p "Open TRUCE in desktop VS Code instead? [Y/n] " answer
      case "${answer:-y}" in [Yy]*) launch_desktop ;; esac
    else
      say "run 'bash scripts/start.sh --desktop' to do that"
    fi
  fi
  exit 1
fi

say "building and packaging the extension (npm run package)"
package_log="$TRUCE_CACHE_DIR/start-package.log"
mkdir -p "$TRUCE_CACHE_DIR"
if ! npm run package >"$package_log" 2>&1; then
  cat "$package_log" >&2
  echo "start.sh: packaging failed (log: $package_log)" >&2
  exit 1
fi

STATE="$TRUCE_CACHE_DIR/start"
[ "$FRESH" = 1 ] && rm -rf "$STATE"
USER_DATA="$STATE/user-data"
EXTENSIONS="$STATE/extensions"
# A fresh extensions folder every start: only the extension just packaged is in it.
rm -rf "$EXTENSIONS"
mkdir -p "$USER_DATA/User" "$EXTENSIONS" "$STATE/xdg/config" "$STATE/xdg/data" "$STATE/xdg/cache"
# code-server and its extension hosts would otherwise write under $HOME.
export XDG_CONFIG_HOME="$STATE/xdg/config" XDG_DATA_HOME="$STATE/xdg/data" XDG_CACHE_HOME="$STATE/xdg/cache"
if ! [ -f "$USER_DATA/User/settings.json" ]; then
  cat >"$USER_DATA/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoUpdate": false,
  "git.openRepositoryInParentFolders": "never",
  "editor.codeLens": true
}
JSON
fi

ENTRY="$(deps_code_server_entry)"
common=(--config /dev/null --user-data-dir "$USER_DATA" --extensions-dir "$EXTENSIONS")
say "installing out/truce.vsix into $EXTENSIONS"
node "$ENTRY" "${common[@]}" --install-extension "$ROOT/out/truce.vsix"

if [ -z "$PORT" ]; then
  PORT="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
fi
SERVER_LOG="$STATE/server.log"

# The server gets its own process group (setsid, or job control where setsid does not exist, as
# on macOS) so that stopping it also ends the extension hosts it forked.
if command -v setsid >/dev/null 2>&1; then
  setsid node "$ENTRY" "${common[@]}" \
    --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
    --disable-workspace-trust --disable-getting-started-override --ignore-last-opened \
    "$FOLDER" >"$SERVER_LOG" 2>&1 &
else
  set -m
  node "$ENTRY" "${common[@]}" \
    --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
    --disable-workspace-trust --disable-getting-started-override --ignore-last-opened \
    "$FOLDER" >"$SERVER_LOG" 2>&1 &
  set +m
fi
SERVER_PID=$!

stop_server() {
  trap - INT TERM EXIT
  if kill -0 -- "-$SERVER_PID" 2>/dev/null; then
    say "stopping code-server"
    kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 -- "-$SERVER_PID" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
  fi
}
trap 'stop_server; exit 130' INT
trap 'stop_server; exit 143' TERM
trap stop_server EXIT

URL="http://127.0.0.1:$PORT/"
ready=0
for _ in $(seq 1 150); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
  if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "${URL}healthz"; then
    ready=1
    break
  fi
  sleep 0.2
done
if [ "$ready" != 1 ]; then
  echo "start.sh: code-server did not start; end of $SERVER_LOG:" >&2
  tail -n 30 "$SERVER_LOG" >&2
  exit 1
fi

# Slashes stay readable; anything else unusual in the path is escaped.
FOLDER_URL="${URL}?folder=$(node -e 'process.stdout.write(encodeURIComponent(process.argv[1]).replace(/%2F/g, "/"))' "$FOLDER")"
printf '\n%s' "$GREEN"
printf '  ┌──────────────────────────────────────────────────────────────────────┐\n'
printf '    TRUCE is running in code-server %s (VS Code 1.100)\n' "$TRUCE_CODE_SERVER_VERSION"
printf '\n    Open:  %s\n\n' "$FOLDER_URL"
printf '    Workspace: %s\n' "$FOLDER"
printf '    Server log: %s\n' "$SERVER_LOG"
printf '    Bound to 127.0.0.1 only; from another machine: ssh -L %s:127.0.0.1:%s <host>\n' "$PORT" "$PORT"
printf '    Press Ctrl-C to stop.\n'
printf '  └──────────────────────────────────────────────────────────────────────┘\n'
printf '%s\n' "$OFF"

# `wait` returns when the server exits by itself, or early when a trapped signal arrives.
wait "$SERVER_PID" || true
say "code-server exited (log: $SERVER_LOG)"
