#!/usr/bin/env bash
# Installs the npm dependencies when node_modules is missing or older than the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.package-lock.json
if [[ -f $stamp && ! package-lock.json -nt $stamp ]]; then
  echo "[deps] node_modules up to date" >&2
  exit 0
fi
echo "[deps] npm install (from the lock file)" >&2
# onnxruntime-node's postinstall fetches CUDA provider files from NuGet, which is
# unreachable offline; the npm tarball already holds the CPU build.
# Not `npm ci`: @napi-rs/webcodecs lists platform packages (darwin, win32, arm) that
# the registry does not serve, and npm ci rejects a lock file without them.
ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund >&2
