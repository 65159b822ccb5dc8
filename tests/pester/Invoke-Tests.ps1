#Requires -Version 7.4
<#
.SYNOPSIS
Runs the Pester 5 tests of this folder against the built module, writes a summary and exits 1 when any failed.
.DESCRIPTION
Used by `build.ps1 -Task Test` (in a child pwsh, so the calling session never loads the module's assemblies),
and usable alone once the module is built: `pwsh tests/pester/Invoke-Tests.ps1`.
The module comes from $env:TORRENTPS_MODULE, else out/TorrentPS/TorrentPS.psd1 (see common.ps1).

A skipped test counts as failed unless it was skipped with a reason (`Set-ItResult -Skipped -Because ...`), which
Pester prints after its name; so do failed blocks and containers (a file that does not load or a BeforeAll that throws).
The summary ({ Passed, Failed, Skipped }) goes to -SummaryPath as JSON.
#>
[CmdletBinding()]
param(
    [string] $ResultPath = (Join-Path $PSScriptRoot '..' '..' 'out' 'pester-results.xml'),
    [string] $SummaryPath = (Join-Path $PSScriptRoot '..' '..' 'out' 'pester-summary.json'),
    [string] $PesterPath
)

$ErrorActionPreference = 'Stop'
if ($PesterPath) {
    Import-Module $PesterPath
}
else {
    Import-Module Pester -MinimumVersion 5.0.0
}

$configuration = New-PesterConfiguration
$configuration.Run.Path = $PSScriptRoot
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'NUnitXml'
$configuration.TestResult.OutputPath = $ResultPath
$run = Invoke-Pester -Configuration $configuration

function Get-SkipReason($test) {
    # Set-ItResult -Skipped -Because 'x' records "is skipped, because x"; -Skip records nothing.
    $message = @($test.ErrorRecord | ForEach-Object { $_.Exception.Message }) -join ' '
    if ($message -match 'because\s+(?<reason>\S.*)') { $Matches.reason } else { $null }
}

$unexplained = @($run.Skipped | Where-Object { -not (Get-SkipReason $_) })
foreach ($test in $unexplained) {
    Write-Host "Skipped without a reason (counted as failed): $($test.ExpandedPath)" -ForegroundColor Red
}
foreach ($test in $run.Skipped | Where-Object { Get-SkipReason $_ }) {
    Write-Host "Skipped: $($test.ExpandedPath): $(Get-SkipReason $test)" -ForegroundColor Yellow
}
foreach ($test in $run.Failed) {
    # Again at the end, so the tail of a long log says what failed and why.
    $message = @($test.ErrorRecord | ForEach-Object { $_.Exception.Message }) -join ' ' -split '\r?\n' | Select-Object -First 4
    Write-Host "FAILED $($test.ExpandedPath): $($message -join ' | ')" -ForegroundColor Red
}
foreach ($block in $run.FailedBlocks) {
    Write-Host "Block failed: $($block.ExpandedPath)" -ForegroundColor Red
}
foreach ($container in $run.FailedContainers) {
    Write-Host "File failed to run: $($container.Item)" -ForegroundColor Red
}

$failed = $run.FailedCount + $unexplained.Count + $run.FailedBlocksCount + $run.FailedContainersCount + @($run.Tests | Where-Object Result -eq 'Inconclusive').Count
$summary = [ordered]@{
    Passed  = $run.PassedCount
    Failed  = $failed
    Skipped = $run.SkippedCount - $unexplained.Count
}
$null = New-Item -ItemType Directory -Path (Split-Path $SummaryPath) -Force
$summary | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath
Write-Host "Pester: $($summary.Passed) passed, $($summary.Failed) failed, $($summary.Skipped) skipped for a stated reason"
exit ([int]($failed -gt 0))
