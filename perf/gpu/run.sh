#!/usr/bin/env bash
# On a GPU node (no .NET SDK needed): unpacks .gpu/bundle.tar.xz (perf/gpu/pack.sh) and runs every
# test assembly with VOXELGAN_DEVICE=cuda, then the same-run comparisons of perf/ on CUDA.
# Usage: perf/gpu/run.sh [OUTDIR] [tests|perf|all]
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:-gpu-results}
what=${2:-all}
mkdir -p "$out"
work=$(mktemp -d)
xz -dc .gpu/bundle.tar.xz | tar -C "$work" -xf -
export DOTNET_ROOT="$work/dotnet" PATH="$work/dotnet:$PATH" DOTNET_ROLL_FORWARD=Major DOTNET_CLI_TELEMETRY_OPTOUT=1
export VOXELGAN_DEVICE=cuda VOXELGAN_PYTHON=${VOXELGAN_PYTHON:-$(command -v python3)}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
dotnet "$work/bin/cli/voxelgan.dll" info | tee -a "$out/gpu.txt"
if [ "$what" != perf ]; then
  for t in "$work"/tests/*.Tests; do
    name=$(basename "$t")
    start=$SECONDS
    (cd "$t" && timeout 900 dotnet "$work/runner/xunit.console.dll" "$name.dll" -noColor -parallel none) >"$out/$name.log" 2>&1
    echo "$name rc=$? $(grep -E "Total: [0-9]+" "$out/$name.log" | tail -1 | sed 's/^ *//') wall $((SECONDS - start)) s" | tee -a "$out/summary.txt"
  done
fi
if [ "$what" != tests ]; then
  cd "$work/bin/perf" && ln -s "$OLDPWD/perf" perf 2>/dev/null; cd - >/dev/null
  (cd "$work/bin/perf" && timeout 300 dotnet VoxelGan.Perf.dll compare-conv) 2>&1 | tee "$out/compare-conv.txt"
  (cd "$work/bin/perf" && timeout 300 dotnet VoxelGan.Perf.dll compare-fft) 2>&1 | tee "$out/compare-fft.txt"
  [ -n "${EXTRA_PERF:-}" ] && (cd "$work/bin/perf" && timeout 300 dotnet VoxelGan.Perf.dll $EXTRA_PERF) 2>&1 | tee "$out/extra.txt"
fi
exit 0
