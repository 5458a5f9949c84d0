#!/usr/bin/env bash
# On a GPU node (no .NET SDK needed): unpacks .gpu/bundle.tar.xz (made by perf/gpu/pack.sh) and runs
# every test assembly with VOXELGAN_DEVICE=cuda, then perf/'s same-run comparisons on CUDA.
# Usage: perf/gpu/run.sh [OUTDIR] [tests|perf|all]. Writes OUTDIR/summary.txt, tests.log, perf.txt.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
out=${1:-gpu-results}
what=${2:-all}
mkdir -p "$out"
work=$(mktemp -d)
xz -dc .gpu/bundle.tar.xz | tar -C "$work" -xf -
export DOTNET_ROOT="$work/dotnet" PATH="$work/dotnet:$PATH" DOTNET_ROLL_FORWARD=Major DOTNET_CLI_TELEMETRY_OPTOUT=1
export VOXELGAN_DEVICE=cuda VOXELGAN_PYTHON=${VOXELGAN_PYTHON:-$(command -v python3)}
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; dotnet "$work/bin/cli/voxelgan.dll" info; } | tee "$out/summary.txt"
if [ "$what" != perf ]; then
  for t in "$work"/tests/*.Tests; do
    name=$(basename "$t")
    start=$SECONDS
    (cd "$t" && timeout 900 dotnet "$work/runner/xunit.console.dll" "$name.dll" -noColor -parallel none) >"$out/$name.tmp" 2>&1
    rc=$?
    echo "$name rc=$rc $(grep -E "Total: [0-9]+" "$out/$name.tmp" | tail -1 | sed 's/^ *//') wall $((SECONDS - start)) s" | tee -a "$out/summary.txt"
    { echo "==== $name"; cat "$out/$name.tmp"; } >>"$out/tests.log"
    rm -f "$out/$name.tmp"
  done
fi
if [ "$what" != tests ]; then
  ln -sfn "$repo/perf" "$work/bin/perf/perf"
  # PERF_COMMANDS: perf commands separated by ';' (each may carry arguments).
  IFS=';' read -ra commands <<<"${PERF_COMMANDS:-compare-train;compare-conv;compare-fft}"
  for cmd in "${commands[@]}"; do
    echo "==== $cmd" | tee -a "$out/perf.txt"
    (cd "$work/bin/perf" && timeout 300 dotnet VoxelGan.Perf.dll $cmd) 2>&1 | tee -a "$out/perf.txt"
  done
fi
exit 0
