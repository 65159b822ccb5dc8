# Choosing files and order: Start-TorrentDownload and Start-MagnetDownload -File, -TorrentFile (piped TorrentFile
# objects), -ExcludeFile, -Sequential, -FirstAndLastPiecesFirst; Test-Torrent -File; Set-Torrent on a running torrent.
# Against a real python3-libtorrent seeder on 127.0.0.0/8.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')
    . (Join-Path $PSScriptRoot 'LibtorrentTestHelpers.ps1')
    $script:LibtorrentMissing = Get-TestLibtorrentMissing

    # 32 KiB pieces; every boundary between files falls inside a piece, so a chosen file shares a piece with a skipped one.
    $script:SeedData = Join-Path $TestDrive 'seed'
    $script:ShowFiles = @(
        @{ Path = 'show/e01 [720p].mkv'; Content = (New-TestContent -Length 300000 -Seed 21) }
        @{ Path = 'show/e02.mkv'; Content = (New-TestContent -Length 200000 -Seed 22) }
        @{ Path = 'show/extras/sample.txt'; Content = (New-TestContent -Length 20000 -Seed 23) }
    )
    foreach ($file in $ShowFiles) {
        $path = Join-Path $SeedData 'season' $file.Path
        New-Item -ItemType Directory -Path (Split-Path $path) -Force | Out-Null
        [System.IO.File]::WriteAllBytes($path, [byte[]]$file.Content)
    }
    $script:Show = New-TestTorrent -Path (Join-Path $TestDrive 'season.torrent') -Name 'season' -Files $ShowFiles -PieceLength 32768 -Announce 'http://127.0.0.1:1/announce'
    $script:Info = Get-TorrentInfo -LiteralPath $Show.Path
    if (-not $LibtorrentMissing) {
        $script:Seeder = Start-TestLibtorrentPeer -Torrent $Show.Path -SavePath $SeedData
    }

    function Get-TestHash([string] $Path) { (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash }

    function Get-TestDownloaded([string] $Destination, [int] $Index) {
        Join-Path $Destination 'season' ($ShowFiles[$Index].Path -replace '/', [System.IO.Path]::DirectorySeparatorChar)
    }

    function Assert-TestFile([string] $Destination, [int] $Index) {
        $path = Get-TestDownloaded $Destination $Index
        Test-Path -LiteralPath $path | Should -BeTrue -Because "$($ShowFiles[$Index].Path) was chosen"
        Get-TestHash $path | Should -Be (Get-TestHash (Join-Path $SeedData 'season' $ShowFiles[$Index].Path))
    }

    function Assert-TestAbsent([string] $Destination, [int] $Index) {
        Test-Path -LiteralPath (Get-TestDownloaded $Destination $Index) | Should -BeFalse -Because "$($ShowFiles[$Index].Path) was not chosen"
    }
}

AfterAll {
    Stop-TestLibtorrentPeer $script:Seeder
}

Describe 'Choosing files' {
    Context 'Command shape' {
        It 'Start-TorrentDownload and Start-MagnetDownload take -File, -TorrentFile, -ExcludeFile, -Sequential and -FirstAndLastPiecesFirst' {
            foreach ($name in 'Start-TorrentDownload', 'Start-MagnetDownload') {
                $parameters = (Get-Command $name).Parameters
                $parameters['File'].ParameterType | Should -Be ([string[]])
                $parameters['ExcludeFile'].ParameterType | Should -Be ([string[]])
                $parameters['TorrentFile'].ParameterType | Should -Be ([TorrentPS.Engine.Metainfo.TorrentFile[]])
                $parameters['TorrentFile'].Attributes.Where({ $_ -is [Parameter] }).ValueFromPipeline | Should -Contain $true
                $parameters['File'].Attributes.Where({ $_ -is [Parameter] }).ValueFromPipeline | Should -Not -Contain $true
                $parameters['Sequential'].SwitchParameter | Should -BeTrue
                $parameters['FirstAndLastPiecesFirst'].SwitchParameter | Should -BeTrue
            }
        }

        It 'Test-Torrent takes -File; Set-Torrent takes Torrent objects, -Name or -InfoHash, -File and -Priority, and supports -WhatIf' {
            (Get-Command Test-Torrent).Parameters['File'].ParameterType | Should -Be ([string[]])
            $set = Get-Command Set-Torrent
            $set.ParameterSets.Name | Sort-Object | Should -Be @('InfoHash', 'Name', 'Torrent')
            $set.Parameters['Priority'].ParameterType | Should -Be ([TorrentPS.Engine.Storage.FilePriority])
            $set.Parameters['File'].Attributes.Where({ $_ -is [Parameter] }).Mandatory | Should -Contain $true
            $set.Parameters.Keys | Should -Contain 'WhatIf'
        }
    }

    Context 'Start-TorrentDownload' {
        It 'downloads only the files -File names, byte for byte, and never creates the others' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-file'

            $result = Start-TorrentDownload -Path $Show.Path -Destination $destination -File '*e01*' -Peer $Seeder.EndPoint.Text -TimeoutSec 30

            $result.State | Should -Be 'Completed'
            $result.Files | Should -Be @((Get-TestDownloaded $destination 0))
            Assert-TestFile $destination 0
            Assert-TestAbsent $destination 1
            Assert-TestAbsent $destination 2
        }

        It 'leaves out the files -ExcludeFile names' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-exclude'

            $result = Start-TorrentDownload -Path $Show.Path -Destination $destination -ExcludeFile 'show/extras/*' -Peer $Seeder.EndPoint.Text -TimeoutSec 30

            $result.State | Should -Be 'Completed'
            $result.Files | Should -HaveCount 2
            Assert-TestFile $destination 0
            Assert-TestFile $destination 1
            Assert-TestAbsent $destination 2
        }

        It 'takes TorrentFile objects piped from Get-TorrentInfo''s Files, with the torrent on the command line, in one download' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-piped'

            $results = $Info.Files | Where-Object Path -like '*.mkv' | Start-TorrentDownload -Torrent $Info -Destination $destination -Peer $Seeder.EndPoint.Text -TimeoutSec 30

            $results | Should -HaveCount 1
            $results.State | Should -Be 'Completed'
            Assert-TestFile $destination 0
            Assert-TestFile $destination 1
            Assert-TestAbsent $destination 2
        }

        It 'takes a TorrentFile object as -File, its name read literally (brackets are not a wildcard)' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-object'

            $result = Start-TorrentDownload -Path $Show.Path -Destination $destination -File $Info.Files[0] -Peer $Seeder.EndPoint.Text -TimeoutSec 30

            $result.State | Should -Be 'Completed'
            Assert-TestFile $destination 0
            Assert-TestAbsent $destination 1
        }

        It 'downloads in order with -Sequential and -FirstAndLastPiecesFirst, byte for byte' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-sequential'

            $result = Start-TorrentDownload -Path $Show.Path -Destination $destination -Sequential -FirstAndLastPiecesFirst -Peer $Seeder.EndPoint.Text -TimeoutSec 30

            $result.State | Should -Be 'Completed'
            0..2 | ForEach-Object { Assert-TestFile $destination $_ }
        }

        It 'fetches a file chosen in a later run, and downloads nothing twice' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-later'
            $first = Start-TorrentDownload -Path $Show.Path -Destination $destination -File 'show/e02.mkv' -Peer $Seeder.EndPoint.Text -TimeoutSec 30

            $second = Start-TorrentDownload -Path $Show.Path -Destination $destination -File '*.mkv' -Peer $Seeder.EndPoint.Text -TimeoutSec 30

            $first.State, $second.State | Should -Be @('Completed', 'Completed')
            Assert-TestFile $destination 0
            Assert-TestFile $destination 1
            Assert-TestAbsent $destination 2
            $second.Downloaded | Should -BeLessThan (300000 + 2 * 32768)
        }

        It 'says a file the torrent does not have before asking any peer, and refuses a bad pattern' {
            $destination = Join-Path $TestDrive 'dl-missing'

            $null = Start-TorrentDownload -Path $Show.Path -Destination $destination -File 'show/e03.mkv' -Peer 127.0.0.1:9 -ErrorVariable missing -ErrorAction SilentlyContinue
            { Start-TorrentDownload -Path $Show.Path -Destination $destination -File '[z-a]' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidFilePattern*'
            $null = Start-TorrentDownload -Path $Show.Path -Destination $destination -File '*.iso' -Peer 127.0.0.1:9 -ErrorVariable none -ErrorAction SilentlyContinue

            $missing.FullyQualifiedErrorId | Should -BeLike 'FileNotInTorrent*'
            $missing.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $none.FullyQualifiedErrorId | Should -BeLike 'NoFileSelected*'
            Test-Path -LiteralPath (Join-Path $destination 'season') | Should -BeFalse
        }

        It 'downloads nothing and writes nothing with -WhatIf' {
            $destination = Join-Path $TestDrive 'dl-whatif'

            $output = Start-TorrentDownload -Path $Show.Path -Destination $destination -File '*.mkv' -Peer 127.0.0.1:9 -WhatIf

            $output | Should -BeNullOrEmpty
            Test-Path -LiteralPath (Join-Path $destination 'season') | Should -BeFalse
        }
    }

    Context 'Start-MagnetDownload' {
        It 'applies -File once the metadata arrives' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'mg-file'
            $link = "magnet:?xt=urn:btih:$($Show.InfoHash)&dn=season&x.pe=$($Seeder.EndPoint.Text)"

            $result = Start-MagnetDownload -MagnetLink $link -Destination $destination -File 'show/extras/*' -TimeoutSec 30

            $result.State | Should -Be 'Completed'
            Assert-TestFile $destination 2
            Assert-TestAbsent $destination 0
            Assert-TestAbsent $destination 1
        }
    }

    Context 'Test-Torrent' {
        It 'checks the files the download chose, says which are absent by choice, and -File checks others' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'tt-file'
            $null = Start-TorrentDownload -Path $Show.Path -Destination $destination -File '*e01*' -Peer $Seeder.EndPoint.Text -TimeoutSec 30

            $chosen = Test-Torrent -Path $Show.Path -DataPath $destination -Verbose 4>&1
            $detailed = Test-Torrent -Path $Show.Path -DataPath $destination -Detailed
            $every = Test-Torrent -Path $Show.Path -DataPath $destination -File '*'
            $first = Test-Torrent -Path $Show.Path -DataPath $destination -File $Info.Files[0]

            ($chosen | Where-Object { $_ -is [bool] }) | Should -BeTrue
            ($chosen | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain "2 files absent by choice, not checked (the download chose the other files): show/e02.mkv, show/extras/sample.txt."
            $detailed.IsComplete | Should -BeTrue
            $detailed.Files.Status | Should -Be @('Complete', 'Skipped', 'Skipped')
            $every | Should -BeFalse
            $first | Should -BeTrue
        }

        It 'says a file the torrent does not have' {
            $null = Test-Torrent -Path $Show.Path -DataPath $TestDrive -File 'nope.bin' -ErrorVariable failed -ErrorAction SilentlyContinue

            $failed.FullyQualifiedErrorId | Should -BeLike 'FileNotInTorrent*'
        }
    }

    Context 'Set-Torrent' {
        It 'chooses another file of a running torrent, which fetches it without a restart' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'set-file'
            # Seeding on after the first file keeps the torrent running in the other runspace of this process.
            $command = Start-TestRunspaceCommand "Start-TorrentDownload -Path '$($Show.Path)' -Destination '$destination' -File '*e01*' -Peer '$($Seeder.EndPoint.Text)' -TimeoutSec 60 -SeedTimeMinutes 5"
            try {
                $deadline = (Get-Date).AddSeconds(60)
                do {
                    $running = Get-Torrent | Where-Object { $_.InfoHash -eq $Show.InfoHash }
                    $seeding = $running -and $running.Status.State -eq 'Seeding'
                    if (-not $seeding) { Start-Sleep -Milliseconds 100 }
                } until ($seeding -or (Get-Date) -gt $deadline)
                $seeding | Should -BeTrue -Because 'the first file completes and the torrent seeds'
                Assert-TestAbsent $destination 1

                $whatIf = Set-Torrent -Name 'sea*' -File 'show/e02.mkv' -Priority High -WhatIf
                $files = Set-Torrent -Name 'season' -File 'show/e02.mkv' -Priority High -PassThru

                $whatIf | Should -BeNullOrEmpty
                $files | Should -HaveCount 3
                ($files | Where-Object Path -eq 'show/e02.mkv').Priority | Should -Be 'High'
                ($files | Where-Object Path -eq 'show/extras/sample.txt').Priority | Should -Be 'Skip'
                $deadline = (Get-Date).AddSeconds(60)
                do {
                    $done = $running.Status.State -eq 'Seeding' -and (Test-Torrent -Path $Show.Path -DataPath $destination -File 'show/e02.mkv')
                    if (-not $done) { Start-Sleep -Milliseconds 100 }
                } until ($done -or (Get-Date) -gt $deadline)
                $done | Should -BeTrue -Because 'the newly chosen file is fetched and the torrent seeds again'
                Assert-TestFile $destination 1
                Assert-TestAbsent $destination 2
            }
            finally {
                $command.PowerShell.Stop()
                $command.PowerShell.Dispose()
            }
        }

        It 'says so when no running torrent has the name or info hash' {
            $null = Set-Torrent -Name 'no such torrent' -File '*' -Priority Skip -ErrorVariable byName -ErrorAction SilentlyContinue
            $null = Set-Torrent -InfoHash ('0' * 40) -File '*' -Priority Skip -ErrorVariable byHash -ErrorAction SilentlyContinue

            $byName.FullyQualifiedErrorId | Should -BeLike 'TorrentNotFound*'
            $byHash.FullyQualifiedErrorId | Should -BeLike 'TorrentNotFound*'
            $byName.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }
    }
}
