# Sourced by infra/start.sh and infra/test.sh: installs whatever is missing (system
# packages, the cached mediasoup worker, npm dependencies) and exports
# MEDIASOUP_WORKER_BIN for npm and for the server.
bash infra/setup.sh
MEDIASOUP_WORKER_BIN="$(bash infra/mediasoup/ensure-worker.sh | tail -1)"
export MEDIASOUP_WORKER_BIN
bash infra/node-deps.sh
