#!/usr/bin/env bash
# Print the path of a working mediasoup-worker, building it first if the cache
# has none. The path is the LAST line on stdout; everything else goes to stderr:
#   MEDIASOUP_WORKER_BIN=$(infra/mediasoup/ensure-worker.sh | tail -1)
#
# Cache: ${WORLDTICK_CACHE:-~/.cache/worldtick}/mediasoup-worker/<version>-<key>/
# where <key> is the first 12 hex chars of a sha256 over shims/ and
# build-worker.sh, so editing either one yields a fresh build.
# We always build (offline) rather than use mediasoup's GitHub prebuilt: one
# path everywhere, and a binary carrying our kTLS patch (see build-worker.sh).
set -euo pipefail

log() { echo "[mediasoup] $*" >&2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The one place the version lives; must equal the mediasoup npm version the
# server uses (worker and Node library speak a version-specific protocol).
version=$(tr -d '[:space:]' <"$here/VERSION")
key=$(cd "$here" && find shims build-worker.sh -type f -print0 | LC_ALL=C sort -z |
  xargs -0 sha256sum | sha256sum | cut -c1-12)
root=${WORLDTICK_CACHE:-$HOME/.cache/worldtick}/mediasoup-worker
dir=$root/$version-$key
bin=$dir/mediasoup-worker

# Without MEDIASOUP_VERSION the worker exits at once with code 41 ("you don't
# seem to be my real father!"): proof that it loads, i.e. all its shared
# libraries resolve. A missing library gives 127 instead.
runs() {
  local rc=0
  [[ -x $1 ]] || return 1
  env -u MEDIASOUP_VERSION "$1" >/dev/null 2>&1 </dev/null || rc=$?
  ((rc == 41))
}

if runs "$bin"; then
  log "cached worker $version ($key)"
  echo "$bin"
  exit 0
fi

mkdir -p "$root"
# Serialise concurrent callers (parallel CI jobs): the first one builds,
# the others wait and then find the binary.
exec 9>"$root/.lock"
flock 9
if runs "$bin"; then
  log "cached worker $version ($key), built by a concurrent run"
  echo "$bin"
  exit 0
fi
if [[ -e $bin ]]; then
  log "cached $bin does not run; missing libraries (run infra/setup.sh?):"
  { ldd "$bin" | grep 'not found' || true; } >&2
fi

for tool in meson ninja flatc pkg-config c++ npm; do
  command -v "$tool" >/dev/null || { log "'$tool' not found; run infra/setup.sh first"; exit 1; }
done
/usr/bin/python3 -c 'import invoke' 2>/dev/null ||
  { log "python3-invoke not found; run infra/setup.sh first"; exit 1; }

# We hold the lock, so any leftover build dirs are from runs that died.
rm -rf "$root"/.build.*
work=$(mktemp -d "$root/.build.XXXXXX")
log "building mediasoup-worker $version ($key) in $work (about 5 min on 2 cores)"
start=$SECONDS
"$here/build-worker.sh" "$version" "$work" "$work/mediasoup-worker" >&2 ||
  { log "build failed; build tree kept in $work"; exit 1; }
runs "$work/mediasoup-worker" || { log "built binary does not run: $work/mediasoup-worker"; exit 1; }

# Rename into place: readers never see a half-written binary.
mkdir -p "$dir"
mv -f "$work/mediasoup-worker" "$bin"
rm -rf "$work"
log "built in $((SECONDS - start)) s: $bin"
echo "$bin"
