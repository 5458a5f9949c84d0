#!/usr/bin/env bash
# On a GPU node (no .NET SDK needed): unpacks .gpu/bundle.tar.xz (made by perf/gpu/pack.sh) and runs
# `voxelgan reproduce` on CUDA with the arguments given, for at most REPRODUCE_SECONDS (default 3600; then it is
# interrupted like Ctrl+C: a checkpoint is kept and the metrics so far remain). Packs what is small enough to bring
# back (report, evaluation, learning curve, configuration, figures; not the volumes or weights) into OUTDIR/reproduce.tar.gz.
# Usage: perf/gpu/reproduce.sh OUTDIR [reproduce options...]
set -uo pipefail
cd "$(dirname "$0")/../.."
out=$1; shift
mkdir -p "$out"
work=$(mktemp -d)
xz -dc .gpu/bundle.tar.xz | tar -C "$work" -xf -
export DOTNET_ROOT="$work/dotnet" PATH="$work/dotnet:$PATH" DOTNET_ROLL_FORWARD=Major DOTNET_CLI_TELEMETRY_OPTOUT=1
run="$work/reproduce"
start=$SECONDS
timeout -s INT "${REPRODUCE_SECONDS:-3600}" dotnet "$work/bin/cli/voxelgan.dll" reproduce --out "$run" --device cuda "$@" >"$out/reproduce.log" 2>&1
echo "reproduce rc=$? wall $((SECONDS - start)) s" | tee -a "$out/reproduce.log"
(cd "$run" && tar -czf "$out/reproduce.tar.gz" --exclude='*.safetensors' --exclude='*.npy' --exclude='*.raw' --exclude=checkpoints --exclude=raw --exclude=phases . 2>/dev/null)
ls -la "$out"
