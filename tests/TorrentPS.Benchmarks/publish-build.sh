#!/usr/bin/env bash
# Lays out a build folder for the transfer benchmark's --build NAME=FOLDER (see WholeTransferBenchmark.cs):
#   FOLDER/tps/tps        tps, JIT     (dotnet publish src/TorrentPS.Cli -c Release)
#   FOLDER/tps-aot/tps    tps, Native AOT (README's command; linked with clang, or gcc where clang is missing)
#   FOLDER/TorrentPS/     the module folder (dotnet publish src/TorrentPS -c Release)
#   FOLDER/README.txt     which commit and how
# Usage: publish-build.sh FOLDER [COMMIT]
#   with COMMIT: that commit's tree (git archive, built in FOLDER/src), so the working tree is left alone;
#   without: this working tree as it is (README.txt says whether it had uncommitted changes).
set -euo pipefail
out=${1:?usage: publish-build.sh FOLDER [COMMIT]}
commit=${2:-}
repo=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ -n "$commit" ]; then
  src="$out/src"
  rm -rf "$src" && mkdir -p "$src"
  git -C "$repo" archive "$commit" | tar -x -C "$src"
  described="commit $(git -C "$repo" rev-parse "$commit") ($(git -C "$repo" log -1 --format=%s "$commit" | cut -c1-100))"
else
  src="$repo"
  dirty=$(git -C "$repo" status --porcelain --untracked-files=no | grep -q . && echo ", with uncommitted changes" || true)
  described="the working tree $repo at $(git -C "$repo" rev-parse HEAD)$dirty"
fi

# The framework a Native AOT publish compiles against: the CLI's conditional TargetFramework for PublishAot when it has
# one (net10.0 since issue 20), else its only one (net8.0 before).
aot_tfm() {
  local csproj=src/TorrentPS.Cli/TorrentPS.Cli.csproj
  sed -n "s:.*<TargetFramework Condition=\"'\$(PublishAot)' == 'true'\">\(.*\)</TargetFramework>.*:\1:p" "$csproj" | grep . \
    || sed -n 's:.*<TargetFramework>\(.*\)</TargetFramework>.*:\1:p' "$csproj"
}

# Since issue 20 a publish of tps or the module is precompiled (src/ReadyToRun.targets); older commits published IL.
r2r_note() {
  if [ -f src/ReadyToRun.targets ]; then
    echo "tps/ and TorrentPS/ precompiled against the SDK's runtime (src/ReadyToRun.targets)"
  else
    echo "none (this commit publishes IL only)"
  fi
}

rm -rf "$out/tps" "$out/tps-aot" "$out/TorrentPS"
cd "$src"
dotnet publish src/TorrentPS.Cli -c Release -o "$out/tps" -v quiet -nologo
dotnet publish src/TorrentPS.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$out/tps-aot" -v quiet -nologo
dotnet publish src/TorrentPS -c Release -o "$out/TorrentPS" -v quiet -nologo

cat > "$out/README.txt" <<TEXT
Builds of TorrentPS for the transfer benchmark (tests/TorrentPS.Benchmarks, --build NAME=$out).
Source: $described.
Built $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -srm) with the .NET SDK $(dotnet --version) by tests/TorrentPS.Benchmarks/publish-build.sh:
  tps/        dotnet publish src/TorrentPS.Cli -c Release -o tps            (JIT; runs on the newest runtime, RollForward=Major)
  ReadyToRun: $(r2r_note)
  tps-aot/    dotnet publish src/TorrentPS.Cli -c Release -r linux-x64 -p:PublishAot=true -o tps-aot   (Native AOT; linker: $(command -v clang >/dev/null && echo clang || echo "gcc, the ILCompiler's fallback: no clang on PATH"))
  TorrentPS/  dotnet publish src/TorrentPS -c Release -o TorrentPS          (the module folder, without the compiled help)
Runtimes: tps-aot carries the libraries of the framework the CLI targets when published with PublishAot ($(aot_tfm)); the JIT tps and
the module run on the newest installed runtime ($(dotnet --list-runtimes | grep Microsoft.NETCore.App | tail -1 | cut -d' ' -f1-2)), pwsh's for the module.
TEXT
cat "$out/README.txt"
