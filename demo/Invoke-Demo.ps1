#Requires -Version 7.4
<#
.SYNOPSIS
The main job end to end, with nothing from outside: makes a sample file and its torrent, seeds it from one pwsh process
and downloads it in this one over loopback, with the progress bar, then checks the download with Test-Torrent.

.DESCRIPTION
`pwsh ./build.ps1 -Task Demo` builds the module and runs this script. Everything stays on this machine: the seeder
listens on 127.0.0.2 only, the torrent names no tracker, and the download is told the seeder's address with -Peer.
The seeder is a child pwsh running Start-TorrentSeed; it is stopped when the demo ends, however it ends. What the demo
made stays in -WorkFolder (printed at the end) for the cmdlets a user reaches for next.

.PARAMETER ModulePath
The TorrentPS.psd1 to import (the built module).

.PARAMETER WorkFolder
Where the sample, its torrent and the download go; emptied first.

.PARAMETER SizeMiB
The size of the sample file.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $WorkFolder,
    [ValidateRange(1, 1024)] [int] $SizeMiB = 16,
    [string] $SeederAddress = '127.0.0.2'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

function New-DemoTorrent {
    <#
    Writes a single-file .torrent of $File with no tracker (peers are given with -Peer). Built with ConvertTo-Bencode
    until New-Torrent lands; then this function is one line: New-Torrent -Path $File -Destination $Torrent.
    #>
    param([string] $File, [string] $Torrent, [int] $PieceLength = 256KB)
    $hashes = [System.IO.MemoryStream]::new()
    $buffer = [byte[]]::new($PieceLength)
    $stream = [System.IO.File]::OpenRead($File)
    $sha1 = [System.Security.Cryptography.SHA1]::Create()
    try {
        while (($read = $stream.ReadAtLeast($buffer, $PieceLength, $false)) -gt 0) {
            $hash = $sha1.ComputeHash($buffer, 0, $read)
            $hashes.Write($hash, 0, $hash.Length)
        }
    }
    finally {
        $stream.Dispose()
        $sha1.Dispose()
    }
    $info = [ordered]@{
        length         = (Get-Item -LiteralPath $File).Length
        name           = Split-Path $File -Leaf
        'piece length' = $PieceLength
        pieces         = $hashes.ToArray()
    }
    $bytes = ConvertTo-Bencode ([ordered]@{ 'created by' = 'TorrentPS demo'; info = $info }) -AsByteArray
    [System.IO.File]::WriteAllBytes($Torrent, $bytes)
}

function Get-FreePort([string] $Address) {
    $probe = [System.Net.Sockets.TcpListener]::new([ipaddress]$Address, 0)
    $probe.Start()
    try { $probe.LocalEndpoint.Port } finally { $probe.Stop() }
}

function Start-DemoSeeder([string] $Torrent, [string] $Data, [string] $Address, [int] $Port) {
    # A child pwsh: the session listens on $Address only, Start-TorrentSeed serves the data, and READY is printed once
    # the torrent seeds (the listener then routes the downloader's connection to it).
    $script = @'
param($ModulePath, $Torrent, $Data, $Address, $Port)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$null = [TorrentPS.Engine.Session.TorrentSession]::Shared.Listen([ipaddress]$Address, $Port)
$job = Start-ThreadJob -ArgumentList $ModulePath, $Torrent, $Data, $Port {
    param($ModulePath, $Torrent, $Data, $Port)
    Import-Module $ModulePath
    Start-TorrentSeed -LiteralPath $Torrent -DataPath $Data -ListenPort $Port -SeedTimeMinutes 10
}
while (-not @([TorrentPS.Engine.Session.TorrentSession]::Shared.Torrents | Where-Object { $_.Status.State -eq 'Seeding' })) {
    if ($job.State -in 'Failed', 'Completed', 'Stopped') { Receive-Job $job; throw "The seeder ended: $($job.State)" }
    Start-Sleep -Milliseconds 100
}
[Console]::Out.WriteLine('READY')
[Console]::Out.Flush()
Receive-Job $job -Wait
'@
    $file = Join-Path $WorkFolder 'seeder.ps1'
    Set-Content -LiteralPath $file -Value $script
    $pwsh = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
    $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
    foreach ($argument in '-NoProfile', '-NonInteractive', '-File', $file, $ModulePath, $Torrent, $Data, $Address, $Port) {
        $start.ArgumentList.Add([string]$argument)
    }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($start)
    $errors = $process.StandardError.ReadToEndAsync()
    $line = $process.StandardOutput.ReadLineAsync()
    if (-not $line.Wait([TimeSpan]::FromSeconds(60)) -or $line.Result -ne 'READY') {
        Stop-DemoSeeder $process
        throw "The seeder did not start: $($line.Result) $($errors.Result)"
    }
    $process
}

function Stop-DemoSeeder($Process) {
    if ($Process -and -not $Process.HasExited) {
        $Process.Kill($true)
        $null = $Process.WaitForExit(10000)
    }
}

$WorkFolder = [System.IO.Path]::GetFullPath($WorkFolder)
$ModulePath = [System.IO.Path]::GetFullPath($ModulePath)
if (Test-Path -LiteralPath $WorkFolder) {
    Remove-Item -LiteralPath $WorkFolder -Recurse -Force
}
$seedFolder = Join-Path $WorkFolder 'seed'
$downloads = Join-Path $WorkFolder 'downloads'
$null = New-Item -ItemType Directory -Path $seedFolder, $downloads
# Nothing of the demo reaches the user's own TorrentPS state.
$env:TORRENTPS_STATE = Join-Path $WorkFolder 'state'

Import-Module $ModulePath
$sample = Join-Path $seedFolder 'sample.bin'
$bytes = [byte[]]::new($SizeMiB * 1MB)
[System.Random]::new(7).NextBytes($bytes)
[System.IO.File]::WriteAllBytes($sample, $bytes)
$torrent = Join-Path $WorkFolder 'sample.torrent'
New-DemoTorrent -File $sample -Torrent $torrent
Write-Host "Made $sample ($SizeMiB MiB) and its torrent $torrent."

$port = Get-FreePort $SeederAddress
$seeder = Start-DemoSeeder -Torrent $torrent -Data $seedFolder -Address $SeederAddress -Port $port
try {
    Write-Host "A second pwsh (process $($seeder.Id)) seeds it on ${SeederAddress}:$port. Downloading from it:"
    $result = Start-TorrentDownload -LiteralPath $torrent -Destination $downloads -Peer "${SeederAddress}:$port" -TimeoutSec 60
    $result | Format-Table | Out-Host
    $verified = $result | Test-Torrent
    Write-Host "Test-Torrent: $verified"
    if (-not $verified -or $result.State -ne 'Completed') {
        throw 'The demo download is not complete.'
    }
}
finally {
    Stop-DemoSeeder $seeder
}

Write-Host @"
Where things are:
  the torrent      $torrent
  the seeded data  $seedFolder
  the download     $($result.Destination)
Next, in pwsh:
  Import-Module $ModulePath
  Get-TorrentInfo $torrent | Format-List
  Test-Torrent $torrent -DataPath $downloads -Detailed
  Get-TorrentInfo $torrent | ConvertTo-MagnetLink
"@
