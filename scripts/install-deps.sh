#!/usr/bin/env bash
# Installs the Debian packages mrdflow needs, only those missing. Idempotent; safe to re-run.
set -euo pipefail
pkgs=(cmake g++ make clang libclang-rt-14-dev
      libopencv-dev libarmadillo-dev libgtest-dev libbenchmark-dev libpugixml-dev
      libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libsqlite3-dev libssl-dev libomp-dev libnanoflann-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: all packages present"
fi
