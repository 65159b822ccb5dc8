#Requires -Version 7.4
<#
.SYNOPSIS
Runs the Pester 5 tests of this folder against the built module and exits with the number of failures.
.DESCRIPTION
Used by `build.ps1 -Task Test` (in a child pwsh, so the calling session never loads the module's assemblies),
and usable alone once the module is built: `pwsh tests/pester/Invoke-Tests.ps1`.
The module comes from $env:TORRENTPS_MODULE, else out/TorrentPS/TorrentPS.psd1 (see common.ps1).
#>
[CmdletBinding()]
param(
    [string] $ResultPath = (Join-Path $PSScriptRoot '..' '..' 'out' 'pester-results.xml'),
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
$configuration.Run.Exit = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'NUnitXml'
$configuration.TestResult.OutputPath = $ResultPath
Invoke-Pester -Configuration $configuration
