#!/bin/bash
# Developer tool: generate the DfN tuning set (seeds 201-280 only; tests use 301-310, samples/ 101-105,
# the check set 401-410).
# Usage: tools/tune/gen-tuning-set.sh [BUILD_DIR] [OUT_DIR]   (defaults: build, /tmp/tune)
# LIST=1 prints the file names instead of generating them.
BUILD=${1:-build}; OUT=${2:-/tmp/tune}
SYN=$BUILD/tools/synth/mrdflow-synth
mkdir -p $OUT
styles=(bd beckman cytek)
i=0
gen() {
  local sc=$1 seed=$2 st=$3; local f=$OUT/${sc}_${seed}_${st}.fcs
  if [ -n "$LIST" ]; then echo "${sc}_${seed}_${st}.fcs"; return; fi
  [ -f $f ] || $SYN --scenario $sc --seed $seed --style $st --out $f >/dev/null
}
# batch "SEEDS" "SCENARIOS": every scenario for each seed, the naming style rotating per tube,
# two generators at a time.
batch() {
  for seed in $1; do
    for sc in $2; do
      st=${styles[$((i % 3))]}; i=$((i+1)); gen $sc $seed $st &
      while [ $(jobs -r | wc -l) -ge 2 ]; do sleep 0.1; done
    done
  done
}
batch "201 202 203 204 205" "mrd-5 mrd-0.1 negative-regenerating cd19neg-relapse cd22-partial cd22-dim cd19-under cd19-over"
batch "$(seq 201 210)" "mrd-0.01 mrd-loq"
# More regenerating marrows: false positives at the LOD are rare events too.
batch "$(seq 211 230)" "negative-regenerating"
# More rare tubes (added after the first round of this design; seeds 231-240).
batch "$(seq 231 240)" "mrd-0.01 mrd-loq"
# Fresh tubes added in the sixth 2026-11-22 session (rare seeds 241-260, regenerating 241-250;
# styles rotated afresh from bd).
i=0
batch "$(seq 241 260)" "mrd-0.01 mrd-loq"
batch "$(seq 241 250)" "negative-regenerating"
# A third fresh batch (same session, evaluated once before being traced): rare seeds 261-280,
# regenerating marrow and 0.1% on 261-270, styles rotated afresh from bd.
i=0
batch "$(seq 261 280)" "mrd-0.01 mrd-loq"
batch "$(seq 261 270)" "negative-regenerating mrd-0.1"
wait
