#!/usr/bin/env bash
# On a GPU node (no .NET SDK needed): unpacks .gpu/bundle.tar.xz (made by perf/gpu/pack.sh), runs perf/'s
# same-run comparisons against PyTorch on CUDA first (the timings matter most when device time is short),
# then the test assemblies with VOXELGAN_DEVICE=cuda.
# Usage: perf/gpu/run.sh [OUTDIR] [tests|perf|all]. Writes OUTDIR/summary.txt, tests.log, perf.txt.
# Environment: PERF_COMMANDS (perf commands separated by ';', each may carry arguments), PERF_TIMEOUT (s per
# command, default 300), TESTS (assemblies without ".Tests", default all but Cli, whose tests run the CLI on
# the CPU), TEST_TIMEOUT (s per assembly, default 900), VOXELGAN_DEVICE (default cuda).
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
out=${1:-gpu-results}
what=${2:-all}
mkdir -p "$out"
work=$(mktemp -d)
xz -dc .gpu/bundle.tar.xz | tar -C "$work" -xf -
export DOTNET_ROOT="$work/dotnet" PATH="$work/dotnet:$PATH" DOTNET_ROLL_FORWARD=Major DOTNET_CLI_TELEMETRY_OPTOUT=1
export VOXELGAN_DEVICE=${VOXELGAN_DEVICE:-cuda} VOXELGAN_PYTHON=${VOXELGAN_PYTHON:-$(command -v python3)}
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; dotnet "$work/bin/cli/voxelgan.dll" info; } | tee "$out/summary.txt"
if [ "$what" != tests ]; then
  ln -sfn "$repo/perf" "$work/bin/perf/perf"
  IFS=';' read -ra commands <<<"${PERF_COMMANDS:-compare-train;compare-conv;compare-fft}"
  for cmd in "${commands[@]}"; do
    echo "==== $cmd" | tee -a "$out/perf.txt"
    start=$SECONDS
    # shellcheck disable=SC2086 # a command's words are its arguments
    (cd "$work/bin/perf" && timeout "${PERF_TIMEOUT:-300}" dotnet VoxelGan.Perf.dll $cmd) 2>&1 | tee -a "$out/perf.txt"
    echo "---- $cmd: wall $((SECONDS - start)) s" | tee -a "$out/perf.txt"
  done
fi
if [ "$what" != perf ]; then
  for name in ${TESTS:-Tensors Autograd Layers Fft Gan}; do
    t="$work/tests/$name.Tests"
    start=$SECONDS
    (cd "$t" && timeout "${TEST_TIMEOUT:-900}" dotnet "$work/runner/xunit.console.dll" "$name.Tests.dll" -noColor -parallel none) >"$out/$name.tmp" 2>&1
    rc=$?
    echo "$name.Tests rc=$rc $(grep -E "Total: [0-9]+" "$out/$name.tmp" | tail -1 | sed 's/^ *//') wall $((SECONDS - start)) s" | tee -a "$out/summary.txt"
    { echo "==== $name.Tests"; cat "$out/$name.tmp"; } >>"$out/tests.log"
    rm -f "$out/$name.tmp"
  done
fi
exit 0
