#Requires -Version 7.4
<#
.SYNOPSIS
Builds, tests, documents and packages the TorrentPS module.

.DESCRIPTION
Tasks (run in the order given; a task that another needs runs once, first):

  Build    dotnet publish src/TorrentPS: the importable module folder out/TorrentPS
           (manifest, TorrentPS.dll, TorrentPS.Engine.dll, Microsoft.Extensions.Logging.Abstractions.dll, format
           file, LICENSE; no .pdb).
  Docs     PlatyPS: New-ExternalHelp from docs/en-US into out/TorrentPS/en-US (TorrentPS.dll-Help.xml, about_TorrentPS.help.txt).
  Test     Build and Docs, then the xunit tests (`dotnet test TorrentPS.sln -c Release`, TRX results in
           out/test-results), then the Pester 5 tests in tests/pester against the built module in a child pwsh
           started from $PSHOME (so this session never loads, and locks, the module's assemblies; results in
           out/pester-results.xml). It ends with one line `N passed, N failed` over both and exits 1 when any failed.
  Package  Build and Docs, then out/TorrentPS-<version>.zip and, where PSResourceGet is available, a .nupkg in out/packages.
  Demo     Build, then demo/Invoke-Demo.ps1 in a child pwsh: a sample file and its torrent in out/demo, seeded by one pwsh
           on 127.0.0.2 and downloaded by another over loopback with the progress bar, checked with Test-Torrent; it
           prints where things are and stops the seeder. Nothing leaves this machine.

dotnet is required. PlatyPS (Docs) is looked for on PSModulePath, then in shared/tools beside this checkout (or
beside a folder above it); Pester 5 (Test) on
PSModulePath. When one is missing, the task fails and says how to get it.

.EXAMPLE
./build.ps1
Builds out/TorrentPS; then `Import-Module ./out/TorrentPS/TorrentPS.psd1`.

.EXAMPLE
./build.ps1 -Task Test
Builds, then runs the xunit and Pester tests.

.EXAMPLE
./build.ps1 -Task Docs, Package
From pwsh; from bash or another shell write the list as one word: pwsh ./build.ps1 -Task Docs,Package

.EXAMPLE
pwsh ./build.ps1 -Task Demo
Builds the module, then downloads a sample torrent from a seeder in another pwsh, over loopback.
#>
[CmdletBinding(PositionalBinding = $false)]
param(
    # Task names, in any of the forms a shell passes them: -Task Build,Docs (one word from bash, split here),
    # -Task Build, Docs (two words from bash: the second arrives in $MoreTask), or a list from PowerShell.
    [Parameter(Position = 0)]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [Parameter(ValueFromRemainingArguments, DontShow)]
    [string[]] $MoreTask = @()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$KnownTasks = 'Build', 'Test', 'Docs', 'Package', 'Demo'
$Task = @(@($Task) + @($MoreTask) | ForEach-Object { $_ -split '[,\s]+' } | Where-Object { $_ })
foreach ($name in $Task) {
    if ($name -notin $KnownTasks) {
        throw "Unknown task '$name': the tasks are $($KnownTasks -join ', ') (for example -Task Build,Docs)."
    }
}

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
    & $FilePath @ArgumentList | Out-Host
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

        foreach ($file in 'TorrentPS.psd1', 'TorrentPS.dll', 'TorrentPS.Engine.dll', 'Microsoft.Extensions.Logging.Abstractions.dll', 'TorrentPS.Format.ps1xml', 'LICENSE') {
            if (-not (Test-Path -LiteralPath (Join-Path $ModuleOut $file))) {
                throw "The published module lacks $file."
            }
        }
        if (Test-Path -LiteralPath (Join-Path $ModuleOut 'System.Management.Automation.dll')) {
            throw 'The published module contains System.Management.Automation.dll; PowerShell supplies it.'
        }
        if ($symbols = Get-ChildItem -LiteralPath $ModuleOut -Filter '*.pdb' -Recurse) {
            throw "The published module contains symbol files ($($symbols.Name -join ', ')); it ships none."
        }
        Write-Host "Module: $ModuleOut"
    }
}

function Get-ChildPwsh {
    # The pwsh of this session. Not [Environment]::ProcessPath: that is dotnet when pwsh runs as a dotnet tool.
    $name = if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' }
    $path = Join-Path $PSHOME $name
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) {
        throw "No $name next to the running PowerShell in `$PSHOME ($PSHOME): cannot start a child pwsh."
    }
    $path
}

function Invoke-XunitTests {
    # dotnet test with TRX results; returns the counts read from them.
    $results = Join-Path $OutDir 'test-results'
    if (Test-Path -LiteralPath $results) {
        Remove-Item -LiteralPath $results -Recurse -Force
    }
    Invoke-Native dotnet @('test', (Join-Path $RepoRoot 'TorrentPS.sln'), '-c', $Configuration, '--logger', 'trx', '--results-directory', $results) -AllowFailure
    $exitCode = $LASTEXITCODE
    $counts = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0; Problem = $null; FailedTests = [System.Collections.Generic.List[string]]::new() }
    $trx = @(Get-ChildItem -LiteralPath $results -Filter '*.trx' -ErrorAction SilentlyContinue)
    foreach ($file in $trx) {
        $run = ([xml](Get-Content -LiteralPath $file.FullName -Raw)).TestRun
        $counters = $run.ResultSummary.Counters
        foreach ($result in @($run.Results.UnitTestResult)) {
            if ($result -and $result.outcome -notin 'Passed', 'NotExecuted') {
                # The name and the first lines of the message, so the end of a long log says what failed.
                $message = "$($result.Output.ErrorInfo.Message)" -split '\r?\n' | Select-Object -First 4
                $counts.FailedTests.Add("$($result.testName) [$($result.outcome), $($result.duration)]: $($message -join ' | ')")
            }
        }
        $counts.Passed += [int]$counters.passed
        $counts.Failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        $counts.Skipped += [int]$counters.notExecuted
    }
    if ($exitCode -ne 0 -and $counts.Failed -eq 0) {
        # Nothing failed in the results, yet dotnet test failed: a build error or a test host that crashed.
        $counts.Failed = 1
        $counts.Problem = "dotnet test exited with code $exitCode but its $($trx.Count) result file(s) record no failed test: a build error or a crashed test host (see its output above)."
    }
    [pscustomobject]$counts
}

function Invoke-PesterTests {
    # Pester in a child pwsh; returns the counts from the summary the runner writes.
    $pester = Get-Module -Name Pester -ListAvailable |
        Where-Object { $_.Version -ge [version]'5.0.0' } |
        Sort-Object Version -Descending |
        Select-Object -First 1
    if (-not $pester) {
        throw 'Pester 5 was not found on PSModulePath. Get it with `Install-Module Pester -RequiredVersion 5.7.1 -Scope CurrentUser` where the PowerShell Gallery is reachable, or run `bash .ci/run` once (it installs Pester 5.7.1 from NuGet); see README.'
    }

    $resultPath = Join-Path $OutDir 'pester-results.xml'
    $summaryPath = Join-Path $OutDir 'pester-summary.json'
    Remove-Item -LiteralPath $resultPath, $summaryPath -ErrorAction SilentlyContinue
    $runner = Join-Path $RepoRoot 'tests' 'pester' 'Invoke-Tests.ps1'
    $env:TORRENTPS_MODULE = Join-Path $ModuleOut 'TorrentPS.psd1'
    try {
        Invoke-Native (Get-ChildPwsh) @('-NoProfile', '-NonInteractive', '-File', $runner, '-ResultPath', $resultPath, '-SummaryPath', $summaryPath, '-PesterPath', $pester.Path) -AllowFailure
    }
    finally {
        Remove-Item -Path Env:TORRENTPS_MODULE -ErrorAction SilentlyContinue
    }
    $exitCode = $LASTEXITCODE
    if (-not (Test-Path -LiteralPath $summaryPath)) {
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; Problem = "The Pester run ended (exit code $exitCode) before it wrote $summaryPath, so no test result is known: see its output above." }
    }
    $summary = Get-Content -LiteralPath $summaryPath -Raw | ConvertFrom-Json
    [pscustomobject]@{ Passed = $summary.Passed; Failed = $summary.Failed; Skipped = $summary.Skipped; Problem = $null }
}

function Invoke-TestTask {
    Invoke-Task Test {
        Invoke-BuildTask
        Invoke-DocsTask
        $xunit = Invoke-XunitTests
        $pester = Invoke-PesterTests

        foreach ($failure in $xunit.FailedTests) {
            Write-Host "FAILED $failure" -ForegroundColor Red
        }
        foreach ($problem in $xunit.Problem, $pester.Problem) {
            if ($problem) {
                Write-Host $problem -ForegroundColor Red
            }
        }
        Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed, $($xunit.Skipped) skipped; Pester: $($pester.Passed) passed, $($pester.Failed) failed, $($pester.Skipped) skipped for a stated reason"
        $passed = $xunit.Passed + $pester.Passed
        $failed = $xunit.Failed + $pester.Failed
        $skipped = $xunit.Skipped + $pester.Skipped
        # The last line: the summary CI reads.
        Write-Host ("$passed passed, $failed failed" + $(if ($skipped) { ", $skipped skipped" }))
        if ($failed -gt 0) {
            exit 1
        }
    }
}

function Find-PlatyPS {
    $platyPS = Get-Module -Name platyPS -ListAvailable | Sort-Object Version -Descending | Select-Object -First 1
    if ($platyPS) {
        return $platyPS
    }
    # The project's offline copy of PlatyPS 0.14.2 in shared/tools/platyPS beside this checkout (CI's layout)
    # or beside a folder above it (a worktree in a subfolder).
    for ($dir = Split-Path $RepoRoot; $dir; $dir = Split-Path $dir) {
        $shared = Join-Path $dir 'shared' 'tools' 'platyPS' 'platyPS.psd1'
        if (Test-Path -LiteralPath $shared) {
            return (Get-Module -Name $shared -ListAvailable)
        }
    }
    $null
}

function Invoke-DocsTask {
    Invoke-Task Docs {
        $platyPS = Find-PlatyPS
        if (-not $platyPS) {
            throw 'PlatyPS was not found on PSModulePath nor in a shared/tools folder beside this checkout or a folder above it. Get it with `Install-Module platyPS -RequiredVersion 0.14.2 -Scope CurrentUser`, or put the folder that holds platyPS/ on PSModulePath; see README.'
        }
        Import-Module $platyPS.Path
        $docs = Join-Path $RepoRoot 'docs' 'en-US'
        $helpOut = Join-Path $ModuleOut 'en-US'
        # The module page (TorrentPS.md) is an index for readers; New-ExternalHelp converts the cmdlet pages and about_ topics.
        $pages = Get-ChildItem -LiteralPath $docs -Filter '*.md' | Where-Object Name -ne 'TorrentPS.md'
        $null = New-ExternalHelp -Path $pages.FullName -OutputPath $helpOut -Force
        foreach ($file in 'TorrentPS.dll-Help.xml', 'about_TorrentPS.help.txt') {
            if (-not (Test-Path -LiteralPath (Join-Path $helpOut $file))) {
                throw "New-ExternalHelp did not write $helpOut/$file."
            }
        }
        Write-Host "Help: $helpOut"
    }
}

function Invoke-DemoTask {
    Invoke-Task Demo {
        Invoke-BuildTask
        # A child pwsh, so this session never loads (and locks) the module's assemblies.
        Invoke-Native (Get-ChildPwsh) @('-NoProfile', '-File', (Join-Path $RepoRoot 'demo' 'Invoke-Demo.ps1'), '-ModulePath', (Join-Path $ModuleOut 'TorrentPS.psd1'), '-WorkFolder', (Join-Path $OutDir 'demo'))
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
        'Demo' { Invoke-DemoTask }
    }
}
