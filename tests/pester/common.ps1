# Dot-sourced in each test file's BeforeAll: imports the built module, one way for every test.
# $env:TORRENTPS_MODULE wins; otherwise out/TorrentPS/TorrentPS.psd1 under the repo root
# (`build.ps1 -Task Test` and `dotnet publish src/TorrentPS` build it).
$script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '..' '..')).ProviderPath
$script:ModuleManifest = if ($env:TORRENTPS_MODULE) { $env:TORRENTPS_MODULE } else { Join-Path $script:RepoRoot 'out' 'TorrentPS' 'TorrentPS.psd1' }
if (-not (Test-Path -LiteralPath $script:ModuleManifest)) {
    throw "The built module was not found at '$script:ModuleManifest'. Run 'dotnet publish src/TorrentPS' or './build.ps1 -Task Build' first."
}
# Tests never touch the user's state: the session keeps it in a folder of this test process (child shells inherit it),
# and with TORRENTPS_TEST set the module refuses, loudly, to import with the real per-user folder.
$env:TORRENTPS_TEST = '1'
if (-not $env:TORRENTPS_STATE) {
    $env:TORRENTPS_STATE = Join-Path ([System.IO.Path]::GetTempPath()) "torrentps-pester-$PID"
}
Import-Module $script:ModuleManifest -Force -ErrorAction Stop
