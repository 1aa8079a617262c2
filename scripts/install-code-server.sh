#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the last line that runs on Node 20) into a
# git-ignored cache folder, in stages, so that it needs nothing from the network but the npm
# registry. See vscode-harness.md in shared/ (beside the repository) for why each stage exists.
#
#   bash scripts/install-code-server.sh            install unless already installed and intact
#   bash scripts/install-code-server.sh --check    exit 0 when installed and intact, 1 otherwise
#   bash scripts/install-code-server.sh --force    reinstall even when intact
#   --dest DIR   install somewhere else (default: .vscode-test/code-server-4.100.3)
#
# The plain `npm install code-server` trips on four things here: its postinstall refuses to run as
# root, npm 11 blocks dependency install scripts, @vscode/ripgrep downloads rg from GitHub, and
# node-pty's `npx node-gyp` is cancelled by npm's `yes=false`. Doing the postinstall's steps by
# hand avoids all four. On a desktop without a local `rg`, @vscode/ripgrep downloads it as usual.
#
# The install is built in "<dest>.partial" and renamed into place at the end, with a marker file
# written just before, so an interrupted install never looks finished.
set -euo pipefail

VERSION="4.100.3"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${TRUCE_CODE_SERVER_DIR:-$ROOT/.vscode-test/code-server-$VERSION}"
MODE=install
while [ $# -gt 0 ]; do
  case "$1" in
    --check) MODE=check ;;
    --force) MODE=force ;;
    --dest) DEST="$2"; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "install-code-server: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
DEST="$(mkdir -p "$(dirname "$DEST")" && cd "$(dirname "$DEST")" && pwd)/$(basename "$DEST")"
MARKER_NAME=".truce-install-complete"
LOG="$DEST.install.log"

# Colour only on a terminal: CI logs keep plain text.
if [ -t 1 ]; then BOLD=$'\033[1m' RED=$'\033[1;31m' OFF=$'\033[0m'; else BOLD='' RED='' OFF=''; fi
say() { printf '%s[code-server]%s %s\n' "$BOLD" "$OFF" "$*"; }
die() { printf '%s[code-server] %s%s\n' "$RED" "$*" "$OFF" >&2; exit 1; }

case "$(uname -s)" in
  Linux) OS=linux ;;
  Darwin) OS=darwin ;;
  *) OS=unsupported ;;
esac

# Native modules are compiled for one Node ABI; a different Node needs a new install.
NODE_ABI="$(node -p 'process.versions.modules')"

# Intact means: the marker says this version for this Node ABI, and the files the server loads at
# start (entry point, VS Code server, the native modules, rg, the asar link) are all there.
is_intact() {
  local dir="$1" cs="$1/node_modules/code-server" vs="$1/node_modules/code-server/lib/vscode"
  [ -f "$dir/$MARKER_NAME" ] || return 1
  grep -qx "version=$VERSION" "$dir/$MARKER_NAME" || return 1
  grep -qx "node_abi=$NODE_ABI" "$dir/$MARKER_NAME" || return 1
  local required=(
    "$cs/out/node/entry.js"
    "$vs/out/server-main.js"
    "$vs/node_modules/node-pty/build/Release/pty.node"
    "$vs/node_modules/@vscode/spdlog/build/Release/spdlog.node"
    "$vs/node_modules/@vscode/ripgrep/bin/rg"
    "$vs/node_modules.asar"
    "$vs/extensions/node_modules/typescript/package.json"
  )
  local f
  for f in "${required[@]}"; do [ -e "$f" ] || return 1; done
  ls "$cs"/node_modules/argon2/lib/binding/*/argon2.node >/dev/null 2>&1 || \
    ls "$dir"/node_modules/argon2/lib/binding/*/argon2.node >/dev/null 2>&1 || return 1
}

if [ "$MODE" = check ]; then
  is_intact "$DEST"
  exit $?
fi

if [ "$MODE" = install ] && is_intact "$DEST"; then
  say "code-server $VERSION is already installed in $DEST"
  exit 0
fi

# ---- prerequisites: say everything that is missing at once ---------------------------------
problems=()
[ "$OS" = unsupported ] && problems+=("this script supports Linux and macOS only (found $(uname -s))")
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" = 20 ] || problems+=("code-server $VERSION needs Node 20 (found $(node -v)); switch with nvm/fnm/volta or install Node 20")
for tool in npm make python3; do
  command -v "$tool" >/dev/null 2>&1 || problems+=("'$tool' is not on PATH (needed to build the native modules)")
done
if ! command -v c++ >/dev/null 2>&1 && ! command -v g++ >/dev/null 2>&1 && ! command -v clang++ >/dev/null 2>&1; then
  problems+=("no C++ compiler (Debian: apt-get install g++; macOS: xcode-select --install)")
fi
if [ "$OS" = linux ] && ! [ -f /usr/include/gssapi/gssapi.h ] && ! [ -f /usr/include/gssapi.h ]; then
  problems+=("the GSSAPI headers for the 'kerberos' module are missing (Debian/Ubuntu: apt-get install libkrb5-dev; Fedora: dnf install krb5-devel)")
fi
if [ "${#problems[@]}" -gt 0 ]; then
  for p in "${problems[@]}"; do printf '%s[code-server] cannot install: %s%s\n' "$RED" "$p" "$OFF" >&2; done
  exit 1
fi

RG="$(command -v rg || true)"
if [ -z "$RG" ]; then
  say "no local 'rg' found: @vscode/ripgrep will download one (needs internet; on Debian: apt-get install ripgrep)"
fi

# Build native modules against the local Node headers when the machine has them, because
# node-gyp would otherwise download them.
if [ -z "${npm_config_nodedir:-}" ]; then
  node_prefix="$(cd "$(dirname "$(command -v node)")/.." && pwd)"
  if [ -f "$node_prefix/include/node/node_version.h" ]; then
    export npm_config_nodedir="$node_prefix"
  fi
fi
# node-pty runs `npx node-gyp`, which npm's yes=false would cancel.
export npm_config_yes=true
export JOBS="${JOBS:-max}"
# Let code-server's own telemetry and update machinery stay quiet during the build.
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# Serialise concurrent installs into the same cache (two terminals running npm test at once).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$DEST.lock"
  if ! flock -n 9; then
    say "another install is running; waiting for it"
    flock 9
    if [ "$MODE" = install ] && is_intact "$DEST"; then
      say "code-server $VERSION was installed by the other process"
      exit 0
    fi
  fi
fi

STAGE="$DEST.partial"
rm -rf "$STAGE"
mkdir -p "$STAGE"
: >"$LOG"
started=$SECONDS

# run STAGE_NAME DIR COMMAND... — runs one stage with its output in the log; on failure shows the
# end of the log and where the rest is.
step=0
FAIL_HINT=""
run() {
  local title="$1" dir="$2"; shift 2
  step=$((step + 1))
  say "stage $step/7: $title"
  printf '\n===== stage %s: %s (in %s)\n$ %s\n' "$step" "$title" "$dir" "$*" >>"$LOG"
  if ! (cd "$dir" && "$@") >>"$LOG" 2>&1; then
    printf '%s[code-server] stage %s failed: %s%s\n' "$RED" "$step" "$title" "$OFF" >&2
    tail -n 40 "$LOG" >&2
    printf '%s[code-server] full log: %s; the partial install is left in %s%s\n' "$RED" "$LOG" "$STAGE" "$OFF" >&2
    [ -n "$FAIL_HINT" ] && printf '%s[code-server] %s%s\n' "$RED" "$FAIL_HINT" "$OFF" >&2
    exit 1
  fi
}

# A package.json of our own for the cache folder: it pins the version and, for npm 11, approves
# the one install script we let npm run here (argon2); code-server's postinstall is replaced by
# the stages below.
cat >"$STAGE/package.json" <<JSON
{
  "name": "truce-code-server-cache",
  "private": true,
  "description": "code-server for TRUCE's tests, installed by scripts/install-code-server.sh",
  "dependencies": { "code-server": "$VERSION" },
  "allowScripts": { "argon2": true, "code-server": false }
}
JSON

run "download code-server $VERSION and its server dependencies (no install scripts)" \
  "$STAGE" npm install --ignore-scripts --no-audit --no-fund
run "build argon2 (password hashing, loaded at server start)" "$STAGE" npm rebuild argon2

VS="$STAGE/node_modules/code-server/lib/vscode"
[ -d "$VS" ] || die "the downloaded package has no lib/vscode folder: $VS"

run "download VS Code's server dependencies (no install scripts)" \
  "$VS" npm install --omit=dev --ignore-scripts --no-audit --no-fund

# The ripgrep package skips its download when bin/ already exists.
if [ -n "$RG" ]; then
  # shellcheck disable=SC2016 # $1 is expanded by the inner sh
  run "place the local rg ($RG) where @vscode/ripgrep expects it" "$VS" \
    sh -c 'mkdir -p node_modules/@vscode/ripgrep/bin && cp "$1" node_modules/@vscode/ripgrep/bin/rg && chmod 755 node_modules/@vscode/ripgrep/bin/rg' sh "$RG"
else
  run "keep @vscode/ripgrep's own download (no local rg)" "$VS" true
fi

# lib/vscode's package.json has no allowScripts; a project .npmrc is where npm 11 accepts the
# approval for a folder whose package.json is not ours. npm 10 ignores the key.
if [ -z "$RG" ]; then
  FAIL_HINT="without a local rg this stage downloads ripgrep from GitHub; offline, install ripgrep (Debian: apt-get install ripgrep) and run again"
fi
native="@parcel/watcher,@vscode/deviceid,@vscode/ripgrep,@vscode/spdlog,@vscode/windows-process-tree,@vscode/windows-registry,kerberos,native-watchdog,node-pty"
printf 'allow-scripts=%s\n' "$native" >"$VS/.npmrc"
run "build VS Code's native modules (node-pty, spdlog, kerberos, watchdog; about a minute)" "$VS" npm rebuild

# What code-server's postinstall does after its npm install: VS Code looks for some files under
# node_modules.asar, and the remote CLI and browser helper are per-OS scripts.
link_scripts() {
  ln -sfn node_modules node_modules.asar
  (cd bin/remote-cli && ln -sfn "code-$OS.sh" code-server)
  (cd bin/helpers && ln -sfn "browser-$OS.sh" browser.sh)
}
FAIL_HINT=""
run "link node_modules.asar and the per-OS helper scripts" "$VS" link_scripts
run "install the built-in extensions' shared TypeScript" "$VS/extensions" npm install --omit=dev --no-audit --no-fund

# Prove the result starts before calling it done; keep it from writing config under $HOME.
verify_home="$(mktemp -d)"
if ! version_line="$(XDG_CONFIG_HOME="$verify_home" XDG_DATA_HOME="$verify_home" \
      node "$STAGE/node_modules/code-server/out/node/entry.js" --config /dev/null --version 2>>"$LOG")"; then
  rm -rf "$verify_home"
  die "the installed code-server does not start (see $LOG)"
fi
rm -rf "$verify_home"
case "$version_line" in
  "$VERSION "*) ;;
  *) die "the installed code-server reports '$version_line', expected $VERSION (see $LOG)" ;;
esac

printf 'version=%s\nnode_abi=%s\ninstalled=%s\n' "$VERSION" "$NODE_ABI" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$STAGE/$MARKER_NAME"
is_intact "$STAGE" || die "the install finished but files are missing from it (see $LOG)"
rm -rf "$DEST"
mv "$STAGE" "$DEST"
say "installed $version_line into $DEST in $((SECONDS - started)) s ($(du -sh "$DEST" | cut -f1))"
