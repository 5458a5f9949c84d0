#!/bin/bash
# The engine's side of the recipe search (docs/RECIPE.md): trains VoxelGan on the search's data (16^3,
# nGf $NGF (8), nDf $NDF (4), fp32, seed $SEED (1)), then generates 16 volumes from every numbered
# checkpoint and evaluates them against the training data. Its control is perf/peers/train_recipe.py.
#
# Usage: perf/recipe/engine_trial.sh LABEL ITERATIONS CHECKPOINT_EVERY [train options...]
#   e.g. perf/recipe/engine_trial.sh E6_gain2.5 4000 1000 --init-gain 2.5
# Environment: VG (the voxelgan command; default: a Release build of this checkout), DATA (default
# runs/recipe/data16, written by the command below when missing), OUT (default runs/recipe/engine).
# Runs used DOTNET_PROCESSOR_COUNT=1 so that the PyTorch control could run on the other core.
# WEIGHTS="average trained" evaluates both the moving average (train --average-decay) and the trained weights.
set -e
label=$1; iters=$2; every=$3; shift 3
root=$(cd "$(dirname "$0")/../.." && pwd)
vg=${VG:-"dotnet $root/src/Cli/bin/Release/net10.0/voxelgan.dll"}
data=${DATA:-runs/recipe/data16}
out=${OUT:-runs/recipe/engine}/$label
[ -d "$data" ] || $vg spheres --count 64 --size 16 --radius 2 --fraction 0.2 --seed 1 --style periodic --out "$data"
rm -rf "$out"; mkdir -p "$out"
start=$(date +%s)
$vg train --data "$data" --size 16 --ngf "${NGF:-8}" --ndf "${NDF:-4}" --precision fp32 --iterations "$iters" \
  --checkpoint-every "$every" --sample-every 0 --seed "${SEED:-1}" --out "$out/run" "$@" > "$out/train.log" 2>&1
echo "train_seconds $(( $(date +%s) - start ))" >> "$out/summary.txt"
for ck in "$out"/run/checkpoints/step_*.safetensors; do
  s=$(basename "$ck" .safetensors)
  for w in ${WEIGHTS:-trained}; do
    $vg generate "$ck" --count 16 --seed 1 --weights "$w" --out "$out/gen_${s}_$w" > /dev/null
    $vg evaluate --real "$data" --fake "$out/gen_${s}_$w" --homogenize 0 > "$out/eval_${s}_$w.txt"
    echo "$s $w $(grep -E '^(p1|p2|diversity|verdict)' "$out/eval_${s}_$w.txt" | tr -s ' ' | tr '\n' ' ')" >> "$out/summary.txt"
  done
done
cat "$out/summary.txt"
