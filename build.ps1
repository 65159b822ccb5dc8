#Requires -Version 7.4
<#
.SYNOPSIS
Builds, tests, documents and packages the TorrentPS module.

.DESCRIPTION
Tasks (run in the order given; a task that another needs runs once, first):

  Build    dotnet publish src/TorrentPS: the importable module folder out/TorrentPS
           (manifest, TorrentPS.dll, TorrentPS.Engine.dll, Microsoft.Extensions.Logging.Abstractions.dll, format file).
  Test     Build, then `dotnet test TorrentPS.sln -c Release`, then the Pester 5 tests in tests/pester against the
           built module, in a child pwsh (so this session never loads, and locks, the module's assemblies).
           Test results go to out/pester-results.xml (NUnit XML). Any failure fails the script.
  Docs     PlatyPS: New-ExternalHelp from docs/en-US into out/TorrentPS/en-US (TorrentPS.dll-Help.xml, about_TorrentPS.help.txt).
  Package  Build and Docs, then out/TorrentPS-<version>.zip and, where PSResourceGet is available, a .nupkg in out/packages.

dotnet is required and its absence fails the script. Pester (Test) and PlatyPS (Docs) are optional: when missing,
a warning says so and the rest of the task goes on.

.EXAMPLE
./build.ps1
Builds out/TorrentPS; then `Import-Module ./out/TorrentPS/TorrentPS.psd1`.

.EXAMPLE
./build.ps1 -Task Test
Builds, then runs the xunit and Pester tests.

.EXAMPLE
./build.ps1 -Task Docs, Package
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Docs', 'Package')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$RepoRoot = $PSScriptRoot
$OutDir = Join-Path $RepoRoot 'out'
$ModuleOut = Join-Path $OutDir 'TorrentPS'
$Completed = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)

function Assert-Tool {
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $Hint)
    if (-not (Get-Command -Name $Name -CommandType Application -ErrorAction SilentlyContinue)) {
        throw "'$Name' was not found on PATH. $Hint"
    }
}

function Invoke-Native {
    # Runs a program, echoing the command line; a non-zero exit code fails the script unless -AllowFailure.
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @(), [switch] $AllowFailure)
    Write-Host "> $FilePath $($ArgumentList -join ' ')" -ForegroundColor Cyan
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0 -and -not $AllowFailure) {
        throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Task {
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [scriptblock] $Action)
    if ($Completed.Contains($Name)) {
        return
    }
    Write-Host "== $Name" -ForegroundColor Green
    & $Action
    $null = $Completed.Add($Name)
}

function Invoke-BuildTask {
    Invoke-Task Build {
        Assert-Tool dotnet 'Install the .NET SDK 8 or later.'
        # A clean layout, but keep help built by an earlier Docs task.
        if (Test-Path -LiteralPath $ModuleOut) {
            Get-ChildItem -LiteralPath $ModuleOut | Where-Object Name -ne 'en-US' | Remove-Item -Recurse -Force
        }
        Invoke-Native dotnet @('publish', (Join-Path $RepoRoot 'src' 'TorrentPS'), '-c', $Configuration, '-o', $ModuleOut, '--nologo')

        foreach ($file in 'TorrentPS.psd1', 'TorrentPS.dll', 'TorrentPS.Engine.dll', 'Microsoft.Extensions.Logging.Abstractions.dll', 'TorrentPS.Format.ps1xml') {
            if (-not (Test-Path -LiteralPath (Join-Path $ModuleOut $file))) {
                throw "The published module lacks $file."
            }
        }
        if (Test-Path -LiteralPath (Join-Path $ModuleOut 'System.Management.Automation.dll')) {
            throw 'The published module contains System.Management.Automation.dll; PowerShell supplies it.'
        }
        Write-Host "Module: $ModuleOut"
    }
}

function Invoke-TestTask {
    Invoke-Task Test {
        Invoke-BuildTask
        Invoke-Native dotnet @('test', (Join-Path $RepoRoot 'TorrentPS.sln'), '-c', 'Release')

        $pester = Get-Module -Name Pester -ListAvailable |
            Where-Object { $_.Version -ge [version]'5.0.0' } |
            Sort-Object Version -Descending |
            Select-Object -First 1
        if (-not $pester) {
            Write-Warning 'Pester 5 is not installed (Install-Module Pester -MinimumVersion 5.0 -Scope CurrentUser): the Pester tests were skipped.'
            return
        }

        $resultPath = Join-Path $OutDir 'pester-results.xml'
        $runner = Join-Path $RepoRoot 'tests' 'pester' 'Invoke-Tests.ps1'
        $env:TORRENTPS_MODULE = Join-Path $ModuleOut 'TorrentPS.psd1'
        try {
            Invoke-Native ([System.Environment]::ProcessPath) @('-NoProfile', '-NonInteractive', '-File', $runner, '-ResultPath', $resultPath, '-PesterPath', $pester.Path) -AllowFailure
        }
        finally {
            Remove-Item -Path Env:TORRENTPS_MODULE -ErrorAction SilentlyContinue
        }
        if ($LASTEXITCODE -ne 0) {
            throw "The Pester tests failed (exit code $LASTEXITCODE); results in $resultPath."
        }
        Write-Host "Pester results: $resultPath"
    }
}

function Invoke-DocsTask {
    Invoke-Task Docs {
        $platyPS = Get-Module -Name platyPS -ListAvailable | Sort-Object Version -Descending | Select-Object -First 1
        if (-not $platyPS) {
            Write-Warning 'PlatyPS is not installed (Install-Module platyPS -Scope CurrentUser): the help was not built.'
            return
        }
        Import-Module $platyPS
        $docs = Join-Path $RepoRoot 'docs' 'en-US'
        $helpOut = Join-Path $ModuleOut 'en-US'
        # The module page (TorrentPS.md) is an index for readers; New-ExternalHelp converts the cmdlet pages and about_ topics.
        $pages = Get-ChildItem -LiteralPath $docs -Filter '*.md' | Where-Object Name -ne 'TorrentPS.md'
        $null = New-ExternalHelp -Path $pages.FullName -OutputPath $helpOut -Force
        if (-not (Test-Path -LiteralPath (Join-Path $helpOut 'TorrentPS.dll-Help.xml'))) {
            throw "New-ExternalHelp did not write $helpOut/TorrentPS.dll-Help.xml."
        }
        Write-Host "Help: $helpOut"
    }
}

function Invoke-PackageTask {
    Invoke-Task Package {
        Invoke-BuildTask
        Invoke-DocsTask
        $version = (Import-PowerShellDataFile -LiteralPath (Join-Path $ModuleOut 'TorrentPS.psd1')).ModuleVersion
        $zip = Join-Path $OutDir "TorrentPS-$version.zip"
        Compress-Archive -Path $ModuleOut -DestinationPath $zip -Force
        Write-Host "Zip: $zip"

        if (-not (Get-Command -Name Publish-PSResource -ErrorAction SilentlyContinue)) {
            Write-Warning 'Microsoft.PowerShell.PSResourceGet is not available: no .nupkg was made.'
            return
        }
        # Publish to a throw-away local folder repository: that writes TorrentPS.<version>.nupkg there.
        $packages = Join-Path $OutDir 'packages'
        $null = New-Item -ItemType Directory -Path $packages -Force
        $repository = 'TorrentPS-build-' + [guid]::NewGuid().ToString('N')
        Register-PSResourceRepository -Name $repository -Uri $packages -Trusted
        try {
            Publish-PSResource -Path $ModuleOut -Repository $repository
        }
        finally {
            Unregister-PSResourceRepository -Name $repository
        }
        Write-Host "Package: $(Join-Path $packages "TorrentPS.$version.nupkg")"
    }
}

foreach ($name in $Task) {
    switch ($name) {
        'Build' { Invoke-BuildTask }
        'Test' { Invoke-TestTask }
        'Docs' { Invoke-DocsTask }
        'Package' { Invoke-PackageTask }
    }
}
