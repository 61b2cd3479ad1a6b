#!/usr/bin/env bash
# bench/deps.sh — what bench/run.sh needs beyond plcpp's own build dependencies, from Debian:
# PL/Python to compare with, matplotlib for the plots and psycopg2 for the cold start timings
# (Debian's, used by /usr/bin/python3: the python3 first on PATH may be another interpreter
# without Debian's packages).
# Idempotent: nothing is fetched (no apt-get update) when everything is installed.
set -euo pipefail
packages=(postgresql-plpython3-15 python3-matplotlib python3-psycopg2)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bench: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
