#!/usr/bin/env bash
# Packs what a bare GPU node without the .NET SDK needs to run VoxelGan's tests and benchmarks
# on CUDA: the .NET runtime (no SDK), xunit's console runner, the built test assemblies, the CLI and
# perf/ in Release. Output: .gpu/bundle.tar.xz (ignored by git). Run perf/gpu/run.sh there.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build VoxelGan.sln -c Release -v q -nologo >/dev/null
dotnet build perf/VoxelGan.Perf -c Release -v q -nologo >/dev/null
runner=$(find ~/.nuget/packages/xunit.runner.console -path '*tools/netcoreapp2.0' -type d 2>/dev/null | sort | tail -1 || true)
if [ -z "$runner" ]; then
  tmp=$(mktemp -d)
  printf '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup><ItemGroup><PackageReference Include="xunit.runner.console" Version="2.4.1" /></ItemGroup></Project>' >"$tmp/r.csproj"
  dotnet restore "$tmp/r.csproj" >/dev/null
  runner=$(find ~/.nuget/packages/xunit.runner.console -path '*tools/netcoreapp2.0' -type d | sort | tail -1)
fi
root=$(dirname "$(readlink -f "$(command -v dotnet)")")
stage=$(mktemp -d)
mkdir -p "$stage/dotnet/shared" "$stage/runner" "$stage/tests" "$stage/bin"
cp "$root/dotnet" "$stage/dotnet/"
cp -r "$root/host" "$stage/dotnet/"
cp -r "$root/shared/Microsoft.NETCore.App" "$stage/dotnet/shared/"
cp -r "$runner"/. "$stage/runner/"
for t in tests/*.Tests; do cp -r "$t/bin/Release/net10.0" "$stage/tests/$(basename "$t")"; done
cp -r src/Cli/bin/Release/net10.0 "$stage/bin/cli"
cp -r perf/VoxelGan.Perf/bin/Release/net10.0 "$stage/bin/perf"
# Native libraries for other platforms (SkiaSharp ships Windows and macOS ones) only add weight.
find "$stage" -type d -path '*/runtimes/*' -prune ! -name 'linux-x64' -exec rm -rf {} +
mkdir -p .gpu
tar -C "$stage" --sort=name -cf - . | xz -T1 --lzma2=preset=9,dict=192MiB >.gpu/bundle.tar.xz
rm -rf "$stage"
ls -la .gpu/bundle.tar.xz
