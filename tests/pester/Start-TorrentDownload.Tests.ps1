# Start-TorrentDownload against real python3-libtorrent seeders on 127.0.0.0/8.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')
    . (Join-Path $PSScriptRoot 'LibtorrentTestHelpers.ps1')
    $script:LibtorrentMissing = Get-TestLibtorrentMissing

    # A single-file torrent whose last piece is short, and a multi-file one with nested folders, a non-ASCII name and an
    # empty file. No tracker answers (127.0.0.1:1): the peers are given with -Peer.
    $script:Torrents = Join-Path $TestDrive 'torrents'
    $script:SeedData = Join-Path $TestDrive 'seed'
    New-Item -ItemType Directory -Path $Torrents, $SeedData | Out-Null
    $script:SingleBytes = New-TestContent -Length (1MB + 4321) -Seed 1
    [System.IO.File]::WriteAllBytes((Join-Path $SeedData 'single.bin'), $SingleBytes)
    $script:Single = New-TestTorrent -Path (Join-Path $Torrents 'single.torrent') -Name 'single.bin' -Content $SingleBytes -PieceLength 65536 -Announce 'http://127.0.0.1:1/announce'
    $script:MultiFiles = @(
        @{ Path = 'cd 1/trâck 1.bin'; Content = (New-TestContent -Length 300000 -Seed 2) }
        @{ Path = 'cd 1/empty.txt'; Content = [byte[]]@() }
        @{ Path = 'cover.jpg'; Content = (New-TestContent -Length 70000 -Seed 3) }
    )
    foreach ($file in $MultiFiles) {
        $path = Join-Path $SeedData 'album' $file.Path
        New-Item -ItemType Directory -Path (Split-Path $path) -Force | Out-Null
        [System.IO.File]::WriteAllBytes($path, [byte[]]$file.Content)
    }
    $script:Multi = New-TestTorrent -Path (Join-Path $Torrents 'album.torrent') -Name 'album' -Files $MultiFiles -PieceLength 32768 -Announce 'http://127.0.0.1:1/announce'

    if (-not $LibtorrentMissing) {
        $script:SingleSeeder = Start-TestLibtorrentPeer -Torrent $Single.Path -SavePath $SeedData
        $script:MultiSeeder = Start-TestLibtorrentPeer -Torrent $Multi.Path -SavePath $SeedData
    }

    function Get-TestHash([string] $Path) { (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash }
}

AfterAll {
    Stop-TestLibtorrentPeer $script:SingleSeeder
    Stop-TestLibtorrentPeer $script:MultiSeeder
}

Describe 'Start-TorrentDownload' {
    Context 'Command shape' {
        It 'takes a path, a literal path or a TorrentInfo, and supports -WhatIf' {
            $command = Get-Command Start-TorrentDownload
            $command.ParameterSets.Name | Sort-Object | Should -Be @('LiteralPath', 'Path', 'Torrent')
            $command.Parameters.Keys | Should -Contain 'WhatIf'
            $command.OutputType.Name | Should -Contain 'TorrentPS.Engine.Session.DownloadResult'
        }
    }

    Context 'From a libtorrent seeder' {
        It 'downloads a single-file torrent byte for byte and writes one result' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-single'

            $result = Start-TorrentDownload -Path $Single.Path -Destination $destination -Peer $SingleSeeder.EndPoint.Text -TimeoutSec 30

            $result | Should -HaveCount 1
            $result | Should -BeOfType ([TorrentPS.Engine.Session.DownloadResult])
            $result.State | Should -Be 'Completed'
            $result.Name | Should -Be 'single.bin'
            $result.InfoHash | Should -Be $Single.InfoHash
            $result.Length | Should -Be $SingleBytes.Length
            $result.Downloaded | Should -BeGreaterOrEqual $SingleBytes.Length
            $result.Destination | Should -Be (Join-Path $destination 'single.bin')
            $result.Files | Should -Be @((Join-Path $destination 'single.bin'))
            $result.VerifiedPieces | Should -Be $result.PieceCount
            $result.HashFailures | Should -Be 0
            Get-TestHash $result.Destination | Should -Be (Get-TestHash (Join-Path $SeedData 'single.bin'))
        }

        It 'downloads a multi-file torrent piped from Get-TorrentInfo, with its folders, its non-ASCII and its empty file' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-multi'

            $result = Get-TorrentInfo -LiteralPath $Multi.Path | Start-TorrentDownload -Destination $destination -Peer $MultiSeeder.EndPoint.Text -TimeoutSec 30

            $result.State | Should -Be 'Completed'
            $result.Destination | Should -Be (Join-Path $destination 'album')
            $result.Files | Should -HaveCount 3
            foreach ($file in $MultiFiles) {
                $path = Join-Path $destination 'album' $file.Path
                $result.Files | Should -Contain $path
                [System.IO.File]::ReadAllBytes($path).Length | Should -Be $file.Content.Length
                Get-TestHash $path | Should -Be (Get-TestHash (Join-Path $SeedData 'album' $file.Path))
            }
        }

        It 'downloads every torrent piped from Get-ChildItem side by side, with TorrentPeer objects as -Peer' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-both'
            $peers = foreach ($seeder in $SingleSeeder, $MultiSeeder) {
                [TorrentPS.Engine.Peers.TorrentPeer]::new($seeder.EndPoint.Address, $seeder.EndPoint.Port, [TorrentPS.Engine.Metainfo.InfoHash]::Parse($Single.InfoHash), 'Manual', $null)
            }

            $results = Get-ChildItem -LiteralPath $Torrents -Filter *.torrent | Start-TorrentDownload -Destination $destination -Peer $peers -TimeoutSec 30

            $results | Should -HaveCount 2
            $results.State | Sort-Object -Unique | Should -Be 'Completed'
            $results.Name | Sort-Object | Should -Be @('album', 'single.bin')
            Get-TestHash (Join-Path $destination 'single.bin') | Should -Be (Get-TestHash (Join-Path $SeedData 'single.bin'))
        }

        It 'downloads nothing again when the data is already there' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-again'
            $null = Start-TorrentDownload -Path $Single.Path -Destination $destination -Peer $SingleSeeder.EndPoint.Text -TimeoutSec 30

            $again = Start-TorrentDownload -Path $Single.Path -Destination $destination -Peer $SingleSeeder.EndPoint.Text -TimeoutSec 30

            $again.State | Should -Be 'Completed'
            $again.Downloaded | Should -Be 0
        }

        It 'writes one activity per torrent, bytes of the total with peers, and one Completed record' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-progress'
            $command = Start-TestRunspaceCommand "Start-TorrentDownload -Path '$($Single.Path)' -Destination '$destination' -Peer '$($SingleSeeder.EndPoint.Text)' -TimeoutSec 30"
            $null = Wait-TestRunspaceCommand $command
            $records = @($command.PowerShell.Streams.Progress)
            $command.PowerShell.Dispose()

            $main = @($records | Where-Object ParentActivityId -EQ -1)
            @($main.ActivityId | Sort-Object -Unique) | Should -HaveCount 1
            $main[0].Activity | Should -Be 'Downloading single.bin'
            $main[-1].RecordType | Should -Be 'Completed'
            $main[-1].StatusDescription | Should -BeLike 'Completed: 1.00 MiB downloaded in *'
            @($main | Where-Object RecordType -EQ 'Completed') | Should -HaveCount 1
            # Checking 1 MiB takes less than a status tick, so the child activity may not show; when it does, it is this one.
            $others = @($records | Where-Object ParentActivityId -NE -1)
            foreach ($record in $others) {
                $record.Activity | Should -Be 'Checking single.bin'
                $record.ParentActivityId | Should -Be $main[0].ActivityId
            }
            if ($others) { $others[-1].RecordType | Should -Be 'Completed' }
            # A 1 MiB download may end within a status tick: each record it wrote has this shape.
            foreach ($record in $main | Where-Object StatusDescription -Like '* of 1.00 MiB*') {
                $record.StatusDescription | Should -Match '^\S+ (B|KiB|MiB) of 1\.00 MiB( at \S+ \S+/s)?, [01] peers?( \(1 seed\))?$'
                $record.CurrentOperation | Should -Match '^[01] peers? connected of 1 known'
            }
        }

        It 'fits its table in 80 columns' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $result = Start-TorrentDownload -Path $Single.Path -Destination (Join-Path $TestDrive 'dl-view') -Peer $SingleSeeder.EndPoint.Text -TimeoutSec 30

            $lines = ($result | Format-Table | Out-String -Width 80) -split "`n" | Where-Object { $_.Trim() }
            $lines[0] | Should -Match '^State\s+Length\s+Downloaded\s+Uploaded\s+Ratio\s+Elapsed\s+Name$'
            $lines[2] | Should -Match '^Completed\s+1\.00 MiB\s+1\.\d\d MiB\s+0 B\s+0\.00\s+\S+ s\s+single\.bin$'
            ($result | Format-List | Out-String) | Should -Match 'Pieces\s+: 17/17'
        }
    }

    Context 'Stopping (Ctrl+C) and continuing' {
        BeforeAll {
            # A seeder that uploads at 400 KB/s, so the download is still running when it is stopped.
            if ($LibtorrentMissing) { return }
            $script:SlowBytes = New-TestContent -Length 2MB -Seed 4
            $slowData = Join-Path $TestDrive 'slow-seed'
            New-Item -ItemType Directory -Path $slowData | Out-Null
            [System.IO.File]::WriteAllBytes((Join-Path $slowData 'slow.bin'), $SlowBytes)
            $script:Slow = New-TestTorrent -Path (Join-Path $TestDrive 'slow.torrent') -Name 'slow.bin' -Content $SlowBytes -PieceLength 32768 -Announce 'http://127.0.0.1:1/announce'
            $script:SlowSeeder = Start-TestLibtorrentPeer -Torrent $Slow.Path -SavePath $slowData -UploadRateLimit 400000
        }

        AfterAll {
            Stop-TestLibtorrentPeer $script:SlowSeeder
        }

        It 'stops promptly, saves its progress, and the same command continues where it stopped' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-stopped'
            $command = Start-TestRunspaceCommand "Start-TorrentDownload -Path '$($Slow.Path)' -Destination '$destination' -Peer '$($SlowSeeder.EndPoint.Text)'"
            # Stopped once it has saved progress (the resume data exists only after pieces were verified and checkpointed).
            $resume = Join-Path $destination '.torrentps' "$($Slow.InfoHash).resume"
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while (-not (Test-Path -LiteralPath $resume)) {
                if ([DateTime]::UtcNow -gt $deadline -or $command.Async.IsCompleted) { throw "No progress was saved: $($command.PowerShell.Streams.Error)" }
                Start-Sleep -Milliseconds 50
            }

            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $command.PowerShell.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 6
            $command.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
            $command.PowerShell.Dispose()
            Test-Path -LiteralPath (Join-Path $destination '.torrentps' "$($Slow.InfoHash).resume") | Should -BeTrue

            $result = Start-TorrentDownload -Path $Slow.Path -Destination $destination -Peer $SlowSeeder.EndPoint.Text -TimeoutSec 30

            $result.State | Should -Be 'Completed'
            $result.Downloaded | Should -BeLessThan $SlowBytes.Length
            Get-TestHash (Join-Path $destination 'slow.bin') | Should -Be (Get-TestHash (Join-Path $slowData 'slow.bin'))
        }
    }

    Context 'Bad input' {
        It 'reports a .torrent that does not exist as PathNotFound and goes on' {
            $err = $null
            $out = Start-TorrentDownload -Path (Join-Path $TestDrive 'nope.torrent') -Destination (Join-Path $TestDrive 'x') -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound*'
        }

        It 'refuses a -Destination that is a file with PathIsFile' {
            { Start-TorrentDownload -Path $Single.Path -Destination $Single.Path -ErrorAction Stop } | Should -Throw -ErrorId 'PathIsFile,*'
        }

        It 'refuses a -Peer that is not an address with InvalidPeerAddress' {
            { Start-TorrentDownload -Path $Single.Path -Destination (Join-Path $TestDrive 'x') -Peer 'not-an-address' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPeerAddress,*'
        }

        It 'gives up after -TimeoutSec without progress with DownloadStalled, saying what was tried and what to do' {
            # A torrent nobody has: the seeders of this file's other torrents know our listening session and may dial it.
            $nobodys = New-TestTorrent -Path (Join-Path $TestDrive 'nobodys.torrent') -Name 'single.bin' -Content (New-TestContent -Length 70000 -Seed 99) -PieceLength 65536 -Announce 'http://127.0.0.1:1/announce'
            $closed = Get-TestLoopbackEndPoint
            $err = $null
            $out = Start-TorrentDownload -Path $nobodys.Path -Destination (Join-Path $TestDrive 'stalled') -Peer $closed.Text -TimeoutSec 1 -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DownloadStalled*'
            $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            $err[0].Exception.Message | Should -BeLike "'single.bin' made no progress for 1 seconds*"
            $err[0].ErrorDetails.RecommendedAction | Should -BeLike '*-TimeoutSec*'
            $err[0].TargetObject | Should -Be $nobodys.Path
        }

        It 'downloads nothing with -WhatIf' {
            $destination = Join-Path $TestDrive 'whatif'
            Start-TorrentDownload -Path $Single.Path -Destination $destination -WhatIf | Should -BeNullOrEmpty
            Test-Path -LiteralPath $destination | Should -BeFalse
        }
    }
}
