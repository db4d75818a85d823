#!/usr/bin/env bash
# Ensure the Debian 12 (bookworm) packages worldtick needs are installed.
# `--bench` adds what only the benchmark suite needs (PyTorch and the onnx package, for
# the generator's onnxruntime-vs-PyTorch comparison; large, so not installed otherwise).
#
# Idempotent and fast: one dpkg-query call decides; apt runs only when
# something is missing. As root it installs (non-interactively, CI has no
# stdin); otherwise it prints the exact commands to run and exits 1.
# The mediasoup worker itself is built by infra/mediasoup/ensure-worker.sh.
set -euo pipefail

log() { echo "[setup] $*" >&2; }

# Services and tools used by the server and the tests.
RUNTIME_PKGS=(redis-server ffmpeg chromium python3)
[[ ${1:-} == --bench ]] && RUNTIME_PKGS+=(python3-torch python3-onnx)
# Shared libraries the offline-built mediasoup-worker links (see `ldd`);
# a cached worker binary runs only where these are present.
WORKER_LIBS=(libuv1 libssl3 libsrtp2-1 libnss3 libnspr4 libabsl20220623 libstdc++6)
# What infra/mediasoup/build-worker.sh needs. meson is handled separately
# (it must come from bookworm-backports).
BUILD_PKGS=(build-essential ninja-build python3-invoke pkg-config libuv1-dev libssl-dev
  libsrtp2-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler)

# mediasoup >= 3.11 requires meson >= 1.1; bookworm ships 1.0.1, backports 1.7.
MESON_MIN=1.1
BACKPORTS_FILE=/etc/apt/sources.list.d/bookworm-backports.sources
BACKPORTS_SRC='Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'

# --- What is missing? ------------------------------------------------------
# dpkg-query prints one line per *known* package and complains on stderr
# about packages it has never seen; both cases count as "not installed".
declare -A installed=()
while IFS=$'\t' read -r name status version; do
  [[ $status == ii* ]] && installed[$name]=$version
done < <(dpkg-query -W -f='${Package}\t${db:Status-Abbrev}\t${Version}\n' \
  "${RUNTIME_PKGS[@]}" "${WORKER_LIBS[@]}" "${BUILD_PKGS[@]}" meson 2>/dev/null || true)

missing=()
for p in "${RUNTIME_PKGS[@]}" "${WORKER_LIBS[@]}" "${BUILD_PKGS[@]}"; do
  [[ -n ${installed[$p]:-} ]] || missing+=("$p")
done
# "meson/bookworm-backports" makes apt take only meson from backports.
if [[ -z ${installed[meson]:-} ]] || ! dpkg --compare-versions "${installed[meson]}" ge "$MESON_MIN"; then
  missing+=(meson/bookworm-backports)
fi
need_backports=0
if [[ " ${missing[*]} " == *" meson/bookworm-backports "* ]] &&
  ! grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  need_backports=1
fi

if ((${#missing[@]} == 0)); then
  log "all system packages present (meson ${installed[meson]})"
  exit 0
fi
log "missing: ${missing[*]}"

APT_INSTALL=(apt-get install -y --no-install-recommends
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}")

# --- Not root: say exactly what to run -------------------------------------
if ((EUID != 0)); then
  log "not root; run these (or: sudo $0):"
  if ((need_backports)); then
    printf "sudo tee %s >/dev/null <<'EOF'\n%s\nEOF\n" "$BACKPORTS_FILE" "$BACKPORTS_SRC"
  fi
  echo "sudo apt-get update"
  echo "sudo DEBIAN_FRONTEND=noninteractive ${APT_INSTALL[*]}"
  exit 1
fi

# --- Root: install ----------------------------------------------------------
export DEBIAN_FRONTEND=noninteractive
if ((need_backports)); then
  log "adding $BACKPORTS_FILE"
  printf '%s\n' "$BACKPORTS_SRC" >"$BACKPORTS_FILE"
fi
log "apt-get update"
apt-get update -q >&2
log "apt-get install ${missing[*]}"
"${APT_INSTALL[@]}" </dev/null >&2
log "done"
