#!/usr/bin/env bash
# Installs code-server (VS Code in the browser) for the end-to-end tests into a cache folder outside the
# extension's own dependencies. Idempotent: a stamp file records what was built; a second run with the same
# stamp does nothing. Builds into a temporary folder and renames it into place, so an interrupted run never
# leaves a half-built cache behind. Prints the cache folder (the one with node_modules/code-server) last.
#
#   TFJS_DEBUGGER_CACHE   cache folder (default: <repo>/.cache/code-server, git-ignored)
#   CODE_SERVER_VERSION   default 4.100.3 (newer ones need Node 24)
#
# Needs Debian's libkrb5-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep (native modules are built with
# node-gyp against Node's own headers; ripgrep replaces the binary @vscode/ripgrep would download). As root,
# missing packages are installed with apt-get; otherwise the script says which to install and stops.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VERSION="${CODE_SERVER_VERSION:-4.100.3}"
CACHE="${TFJS_DEBUGGER_CACHE:-$ROOT/.cache/code-server}"
SETUP_REVISION=1
WANT="code-server ${VERSION} node $(node -v) setup ${SETUP_REVISION}"
STAMP="$CACHE/.stamp"
START=$(date +%s)

log() { printf '[setup-code-server %3ss] %s\n' "$(( $(date +%s) - START ))" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

ready() {
  [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" && -f "$CACHE/node_modules/code-server/out/node/entry.js" ]]
}

if ready; then
  log "cached: $WANT in $CACHE"
  echo "$CACHE"
  exit 0
fi

# One setup at a time per cache folder.
mkdir -p "$(dirname "$CACHE")"
exec 9>"$CACHE.lock"
if ! flock -n 9; then
  log "another setup is running on $CACHE; waiting for it"
  flock 9
fi
if ready; then
  log "cached (built by the other setup): $WANT"
  echo "$CACHE"
  exit 0
fi

# ---- system packages ------------------------------------------------------------------------------------
DEB_PACKAGES=(libkrb5-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep)
missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing Debian packages: ${missing[*]}"
    apt-get update -qq || die "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || die "apt-get install ${missing[*]}"
  else
    die "missing Debian packages: ${missing[*]} (sudo apt-get install -y ${missing[*]})"
  fi
fi
RG="$(command -v rg)" || die "ripgrep (rg) not found"
for cmd in node npm python3 make g++; do command -v "$cmd" >/dev/null || die "$cmd not found"; done

# ---- code-server ----------------------------------------------------------------------------------------
BUILD="$CACHE.build.$$"
trap 'rm -rf "$BUILD"' EXIT
rm -rf "$BUILD"
mkdir -p "$BUILD"
cd "$BUILD"
echo '{ "name": "tfjs-debugger-e2e-code-server", "private": true }' > package.json
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

log "npm install code-server@${VERSION} (no install scripts)"
npm install --ignore-scripts --no-save --loglevel=error "code-server@${VERSION}" >&2 || die "npm install code-server@${VERSION}"
VSCODE="$BUILD/node_modules/code-server/lib/vscode"
[[ -d "$VSCODE" ]] || die "no lib/vscode in code-server@${VERSION}"

cd "$VSCODE"
log "lib/vscode: npm install --omit=dev (no install scripts)"
npm install --omit=dev --ignore-scripts --loglevel=error >&2 || die "npm install in lib/vscode"

log "lib/vscode: ripgrep from Debian ($RG)"
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$RG" node_modules/@vscode/ripgrep/bin/rg

log "lib/vscode: npm rebuild (native modules; takes a few minutes)"
npm_config_yes=true npm rebuild --loglevel=error >&2 || die "npm rebuild in lib/vscode"

log "lib/vscode: links"
ln -sfn node_modules node_modules.asar
[[ -f bin/remote-cli/code-linux.sh ]] && ln -sfn code-linux.sh bin/remote-cli/code-server
[[ -f bin/helpers/browser-linux.sh ]] && ln -sfn browser-linux.sh bin/helpers/browser.sh

log "lib/vscode/extensions: npm install --omit=dev"
(cd extensions && npm install --omit=dev --loglevel=error >&2) || die "npm install in lib/vscode/extensions"

cd "$BUILD"
log "argon2: npm rebuild"
npm_config_yes=true npm rebuild argon2 --loglevel=error >&2 || die "npm rebuild argon2"

log "check: code-server --version"
XDG_CONFIG_HOME="$BUILD/.config" XDG_DATA_HOME="$BUILD/.data" node node_modules/code-server/out/node/entry.js --version >&2 \
  || die "code-server does not start"
rm -rf "$BUILD/.config" "$BUILD/.data"

echo "$WANT" > "$BUILD/.stamp"
rm -rf "$CACHE"
mv "$BUILD" "$CACHE"
trap - EXIT
log "ready: $WANT in $CACHE"
echo "$CACHE"
