#!/usr/bin/env bash
# Build mediasoup-worker offline against Debian bookworm's system libraries.
# Usage: build-worker.sh <version> <workdir> <dest-binary>
#
# Normally called by ensure-worker.sh (which caches the result). Needs only the
# npm registry (for the mediasoup tarball) and the packages infra/setup.sh
# installs: no GitHub, no PyPI, no meson wrap downloads.
# This file and shims/ form the cache key: any edit here triggers a rebuild.
set -euo pipefail

VER=$1 WORK=$2 DEST=$3
SHIMS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/shims

mkdir -p "$WORK" && cd "$WORK"
npm pack --silent "mediasoup@$VER" >/dev/null
rm -rf package && tar xzf "mediasoup-$VER.tgz"

# Each shim directory has the name of a meson wrap's directory, so meson uses
# it instead of downloading; it re-exports the Debian library (two are
# adapters: unordered_dense over std containers, libsrtp3 API over libsrtp2).
cp -a "$SHIMS"/. package/worker/subprojects/

# kTLS patch. Debian's OpenSSL is built with kernel-TLS support. mediasoup's
# BIO callback (onSslBioOut) answers 1 to every post-operation call except a
# bare BIO_CB_RETURN, so the control call BIO_get_ktls_send() reads "yes",
# OpenSSL skips allocating its write buffer and the worker segfaults in
# SSL_read during the first DTLS handshake with a browser. Pass the real
# result through for every BIO_CB_RETURN call. Fail loudly if the line moved.
dtls=package/worker/src/RTC/DtlsTransport.cpp
sed -i 's/(operationType == BIO_CB_RETURN) ? static_cast<long>(ret) : 1;/(operationType \& BIO_CB_RETURN) ? static_cast<long>(ret) : 1;/' "$dtls"
grep -q '(operationType & BIO_CB_RETURN) ? static_cast<long>(ret) : 1;' "$dtls" ||
  { echo "kTLS patch did not apply to $dtls (mediasoup $VER)" >&2; exit 1; }

# tasks.py skips its `pip install meson ninja` when $MESON exists, but always
# takes ninja from <out>/pip_meson_ninja/bin: point both at Debian's.
mkdir -p package/worker/out/pip_meson_ninja/bin
ln -sf /usr/bin/meson package/worker/out/pip_meson_ninja/bin/meson
ln -sf /usr/bin/ninja package/worker/out/pip_meson_ninja/bin/ninja

cd package/worker
# tasks.py reads its settings from the environment: drop what a caller may
# have set (it silently skips compiling when MEDIASOUP_WORKER_BIN is set; CI
# often sets BUILD_DIR). nodownload: a missing shim must fail here, not quietly
# fetch upstream sources on a machine where GitHub happens to be reachable.
# Debian's python3-invoke is only importable by /usr/bin/python3 (not pyenv).
env -u MEDIASOUP_WORKER_BIN -u MEDIASOUP_BUILDTYPE -u MEDIASOUP_OUT_DIR \
  -u MEDIASOUP_INSTALL_DIR -u BUILD_DIR -u PYTHONPATH \
  MESON=/usr/bin/meson MESON_ARGS=--wrap-mode=nodownload \
  /usr/bin/python3 -m invoke mediasoup-worker

mkdir -p "$(dirname "$DEST")"
install -m 755 out/Release/mediasoup-worker "$DEST"
