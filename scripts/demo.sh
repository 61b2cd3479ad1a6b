#!/usr/bin/env bash
# plcpp demo on a fresh Debian 12 machine, as root: installs dependencies, builds, installs,
# starts a private PostgreSQL server under a temporary directory, creates and calls plcpp
# functions (scripts/demo.sql), shows a compile error and memoization, and stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
export PLCPP_WERROR=1 # the project's own builds: warnings are errors (Makefile)
make -j"$(nproc)" >build.log 2>&1 && make install >>build.log 2>&1 || { tail -50 build.log; exit 1; }
source scripts/server.sh
trap server_stop EXIT
server_start
psql -X -v ON_ERROR_STOP=0 -f scripts/demo.sql 2>&1
