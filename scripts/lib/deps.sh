# shellcheck shell=bash
# Shared install steps for scripts/test.sh and scripts/start.sh. Source it; do not run it.
#
# Every function checks before it installs, so calling them on a machine that already has
# everything costs a few file checks. Each one returns non-zero (after saying what to do) instead
# of letting a later step fail obscurely.

# The repository root, whatever the caller's working directory.
TRUCE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TRUCE_CODE_SERVER_VERSION="4.100.3"
TRUCE_CACHE_DIR="${TRUCE_CACHE_DIR:-$TRUCE_ROOT/.vscode-test}"
TRUCE_CODE_SERVER_DIR="${TRUCE_CODE_SERVER_DIR:-$TRUCE_CACHE_DIR/code-server-$TRUCE_CODE_SERVER_VERSION}"
TRUCE_CHROMIUM="${TRUCE_CHROMIUM:-/usr/bin/chromium}"
export TRUCE_CACHE_DIR TRUCE_CODE_SERVER_DIR TRUCE_CHROMIUM

# Colour only on a terminal: CI logs keep plain text.
if [ -t 1 ]; then DEPS_BOLD=$'\033[1m' DEPS_RED=$'\033[1;31m' DEPS_OFF=$'\033[0m'; else DEPS_BOLD='' DEPS_RED='' DEPS_OFF=''; fi
deps_say() { printf '%s[deps]%s %s\n' "$DEPS_BOLD" "$DEPS_OFF" "$*"; }
deps_fail() { printf '%s[deps] %s%s\n' "$DEPS_RED" "$*" "$DEPS_OFF" >&2; }

deps_is_root() { [ "$(id -u)" = "0" ]; }
deps_has_apt() { command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; }

# node_modules is current when npm's own record of the tree is at least as new as the lockfile.
deps_node_modules_current() {
  [ -f "$TRUCE_ROOT/node_modules/.package-lock.json" ] &&
    ! [ "$TRUCE_ROOT/package-lock.json" -nt "$TRUCE_ROOT/node_modules/.package-lock.json" ]
}

ensure_node_modules() {
  if deps_node_modules_current; then
    return 0
  fi
  deps_say "node_modules is missing or older than package-lock.json: running npm ci"
  # Playwright must never try to download a browser: Debian's chromium is used instead. The
  # benchmark peer @ax-llm/ax would copy "skills" into .claude/ of the checkout; it must not.
  # npm 11 skips unapproved dependency install scripts and says so; that is fine here because
  # esbuild's binary arrives as an optional dependency and vsce is only used to package.
  if ! (cd "$TRUCE_ROOT" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 AX_SKIP_SKILL_INSTALL=1 npm ci --no-audit --no-fund); then
    deps_fail "npm ci failed (see above). Check that the npm registry is reachable and that package-lock.json matches package.json."
    return 1
  fi
  # npm ci may leave the record's mtime older than a lockfile touched in the same second.
  touch "$TRUCE_ROOT/node_modules/.package-lock.json"
}

# What is missing, as Debian package names separated by spaces, given what the caller needs:
#   NEED_BROWSER=1  chromium, the browser that drives the workbench in tests
#   NEED_BUILD=1    the two system packages that building code-server offline needs
deps_missing_system_packages() {
  local need_browser="$1" need_build="$2" missing=""
  if [ "$need_browser" = 1 ] && ! [ -x "$TRUCE_CHROMIUM" ]; then missing="$missing chromium"; fi
  if [ "$need_build" = 1 ]; then
    # kerberos (a code-server dependency) compiles against the GSSAPI headers; macOS has them.
    if [ "$(uname -s)" = Linux ] && ! [ -f /usr/include/gssapi/gssapi.h ] && ! [ -f /usr/include/gssapi.h ]; then
      missing="$missing libkrb5-dev"
    fi
    # code-server's @vscode/ripgrep would download rg from the internet; a local rg replaces it.
    if ! command -v rg >/dev/null 2>&1; then missing="$missing ripgrep"; fi
  fi
  printf '%s\n' "${missing# }"
}

# ensure_system_packages NEED_BROWSER NEED_BUILD
# Installs what is missing with apt-get when that is possible (Debian, root); otherwise says
# exactly what to install and returns 1.
ensure_system_packages() {
  local missing
  missing="$(deps_missing_system_packages "$1" "$2")"
  if [ -z "$missing" ]; then
    return 0
  fi
  if deps_has_apt && deps_is_root; then
    deps_say "installing Debian packages: $missing"
    # shellcheck disable=SC2086 # a list of package names
    if ! (DEBIAN_FRONTEND=noninteractive apt-get update -q && \
          DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing); then
      deps_fail "apt-get install $missing failed (see above)."
      return 1
    fi
    return 0
  fi
  deps_fail "missing system packages: $missing"
  if deps_has_apt; then
    deps_fail "install them with:  sudo apt-get update && sudo apt-get install -y $missing"
  else
    deps_fail "install the equivalents for your system (Debian names: $missing);"
    deps_fail "for a Chromium elsewhere on disk, set TRUCE_CHROMIUM=/path/to/chromium"
  fi
  return 1
}

deps_code_server_installed() {
  bash "$TRUCE_ROOT/scripts/install-code-server.sh" --check >/dev/null 2>&1
}

# The node command line that starts the installed code-server.
deps_code_server_entry() {
  printf '%s\n' "$TRUCE_CODE_SERVER_DIR/node_modules/code-server/out/node/entry.js"
}

# ensure_code_server: the staged install (scripts/install-code-server.sh), after the system
# packages it builds with. It needs no network beyond the npm registry when rg is installed.
ensure_code_server() {
  if deps_code_server_installed; then
    return 0
  fi
  ensure_system_packages 0 1 || return 1
  bash "$TRUCE_ROOT/scripts/install-code-server.sh"
}
