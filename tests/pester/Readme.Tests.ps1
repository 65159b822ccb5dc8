# README's PowerShell examples that need no network, run as they are written, so the README stays true. An example is
# a ```powershell block right after a line `<!-- readme-test: offline -->`; its `PS> ` lines (with `>> ` continuations)
# run in order in one scope, in a folder holding the sample files they name (made here as the README describes them).
# Every command must run without an error; a command the README shows with a one-line answer must give that line.
BeforeDiscovery {
    $readme = Get-Content -LiteralPath (Join-Path $PSScriptRoot '..' '..' 'README.md') -Raw
    $script:Examples = @()
    $pattern = '(?ms)^<!-- readme-test: offline -->\r?\n```powershell\r?\n(?<body>.*?)^```'
    foreach ($match in [regex]::Matches($readme, $pattern)) {
        $heading = ($readme.Substring(0, $match.Index) -split '\r?\n' | Where-Object { $_ -like '### *' } | Select-Object -Last 1) -replace '^### ', ''
        $steps = [System.Collections.Generic.List[object]]::new()
        foreach ($line in $match.Groups['body'].Value -split '\r?\n') {
            if ($line.StartsWith('PS> ')) {
                $steps.Add([pscustomobject]@{ Command = $line.Substring(4); Output = [System.Collections.Generic.List[string]]::new() })
            }
            elseif ($line.StartsWith('>> ') -and $steps.Count -gt 0) {
                $steps[-1].Command += "`n" + $line.Substring(3)
            }
            elseif ($steps.Count -gt 0 -and $line.Trim()) {
                $steps[-1].Output.Add($line.TrimEnd())
            }
        }
        $script:Examples += @{ Name = $heading; Steps = $steps.ToArray() }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')

    # The files README's examples read: hello.torrent (one 15-byte file) and sample.torrent ('debian-iso': README.txt and
    # a 2.86 MiB disk.img, with a comment).
    $script:Folder = Join-Path $TestDrive 'readme'
    New-Item -ItemType Directory -Path $Folder | Out-Null
    $null = New-TestTorrent -Path (Join-Path $Folder 'hello.torrent')
    $disk = [byte[]]::new(3000000)
    [System.Random]::new(12).NextBytes($disk)
    $null = New-TestTorrent -Path (Join-Path $Folder 'sample.torrent') -Name 'debian-iso' -PieceLength 262144 -Comment 'Sample torrent' -Files @(
        @{ Path = 'README.txt'; Content = [System.Text.Encoding]::ASCII.GetBytes("hello!`n") }
        @{ Path = 'disk.img'; Content = $disk }
    )
}

Describe 'README example: <Name>' -ForEach $Examples {
    It 'runs as written, each one-line answer as shown' {
        Push-Location -LiteralPath $Folder
        try {
            foreach ($step in $Steps) {
                $Error.Clear()
                $output = . ([scriptblock]::Create($step.Command)) | Out-String -Width 200
                $Error | Should -BeNullOrEmpty -Because "README's '$($step.Command)' must run without an error"
                if ($step.Output.Count -eq 1) {
                    $output.Trim() | Should -BeExactly $step.Output[0].Trim() -Because "README shows what '$($step.Command)' answers"
                }
            }
        }
        finally {
            Pop-Location
        }
    }
}

Describe 'README' {
    It 'has examples marked to run' {
        $Examples.Count | Should -BeGreaterOrEqual 3
    }

    It 'opens with the quick start: the tests, then the demo' {
        $readme = Get-Content -LiteralPath (Join-Path $PSScriptRoot '..' '..' 'README.md') -Raw
        $readme.IndexOf('## Quick start') | Should -BeLessThan $readme.IndexOf('## Requirements')
        $readme | Should -Match 'bash \.ci/run'
        $readme | Should -Match 'pwsh \./build\.ps1 -Task Demo'
    }
}

Describe 'build.ps1 -Task' {
    # An unknown second task makes build.ps1 stop before building anything, naming it: proof that it read both words
    # as tasks, in each way a shell passes a list.
    It 'reads <Form> from a shell as two tasks' -ForEach @(
        @{ Form = 'Docs,Nope'; Arguments = @('-Task', 'Docs,Nope') }
        @{ Form = 'Docs, Nope'; Arguments = @('-Task', 'Docs,', 'Nope') }
        @{ Form = '"Docs, Nope"'; Arguments = @('-Task', 'Docs, Nope') }
    ) {
        $pwsh = Join-Path $PSHOME 'pwsh'
        $output = & $pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot '..' '..' 'build.ps1') @Arguments 2>&1 | Out-String
        $LASTEXITCODE | Should -Not -Be 0
        $output | Should -Match "Unknown task 'Nope'"
        $output | Should -Not -Match '== Docs'
    }
}
