#!/usr/bin/env bash
# Regenerates the demo set in samples/ with mrdflow-synth. Seeds 101-105 are reserved for these
# files; tests use other seeds. Usage: samples/generate.sh [path/to/mrdflow-synth]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
synth="${1:-$here/../build/tools/synth/mrdflow-synth}"
gen() { "$synth" --scenario "$1" --seed "$2" --events "$3" --style "$4" --out "$here/$5"; }
gen mrd-5                 101 30000 bd      demo01_bd.fcs
gen negative-regenerating 102 30000 beckman demo02_beckman.fcs
gen cd19neg-relapse       103 30000 cytek   demo03_cytek.fcs
gen cd19-under            104 25000 bd      demo04_bd.fcs
gen cd22-dim              105 25000 beckman demo05_beckman.fcs
