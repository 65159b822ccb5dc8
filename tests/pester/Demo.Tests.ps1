# `pwsh ./build.ps1 -Task Demo` is the build, then demo/Invoke-Demo.ps1: this runs that script against the built module,
# in a child pwsh as build.ps1 does. It is loopback-only: the seeder listens on 127.0.0.2 and the torrent names no tracker.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
}

Describe 'The demo' {
    It 'seeds a sample from one pwsh, downloads it in another, checks it and stops the seeder' {
        $work = Join-Path $TestDrive 'demo'
        $pwsh = Join-Path $PSHOME 'pwsh'
        $output = & $pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot '..' '..' 'demo' 'Invoke-Demo.ps1') -ModulePath $ModuleManifest -WorkFolder $work -SizeMiB 4 *>&1 | Out-String

        $LASTEXITCODE | Should -Be 0 -Because $output
        $output | Should -Match 'Test-Torrent: True'
        $output | Should -Match 'Completed'
        (Get-FileHash -LiteralPath (Join-Path $work 'downloads' 'sample.bin')).Hash | Should -Be (Get-FileHash -LiteralPath (Join-Path $work 'seed' 'sample.bin')).Hash
        $seeder = [int]([regex]::Match($output, 'process (\d+)\)').Groups[1].Value)
        $seeder | Should -BeGreaterThan 0
        Get-Process -Id $seeder -ErrorAction SilentlyContinue | Should -BeNullOrEmpty -Because 'the demo stops the seeder it started'
    }
}
