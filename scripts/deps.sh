#!/usr/bin/env bash
# Installs everything plcpp needs to build, test, demo and benchmark, from Debian's packages.
# Idempotent: packages already present are not fetched again (no apt-get update then).
set -euo pipefail
packages=(
  build-essential make bear clang-format
  postgresql-15 postgresql-server-dev-15 postgresql-plpython3-15
  llvm-14-dev libclang-cpp14-dev libclang-14-dev clang-14 liblld-14-dev zlib1g-dev
  libgtest-dev nlohmann-json3-dev python3-psycopg2
  postgresql-15-plproxy
  gdb linux-perf
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "plcpp: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
