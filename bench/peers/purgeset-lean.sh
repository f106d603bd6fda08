#!/usr/bin/env bash
# purgeset on the bench job without the archive and the review page: the shared
# peers/purgeset.sh with "--no-archive --no-review" added to PURGESET_ARGS.
# bench/run.sh links it into its view of ../shared/bench/peers, so that run-peers.sh
# times it beside the default purgeset run and the other peers in one invocation.
# Usage: purgeset-lean.sh INPUT CUTOFF 'Group A,Group B' OUTPUT.csv
set -euo pipefail
peer=$(dirname "$0")/purgeset.sh # in bench/run.sh's peer view: the shared script
if [ ! -x "$peer" ]; then        # run from bench/peers/: the shared folder beside the checkout
  peer=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)/../shared/bench/peers/purgeset.sh
fi
export PURGESET_ARGS="--no-archive --no-review${PURGESET_ARGS:+ $PURGESET_ARGS}"
exec "$peer" "$@"
