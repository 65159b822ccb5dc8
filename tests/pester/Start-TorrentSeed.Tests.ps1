# Start-TorrentSeed: python3-libtorrent downloaders fetch from it on 127.0.0.0/8; opentracker hears it start and stop.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TrackerTestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')
    . (Join-Path $PSScriptRoot 'LibtorrentTestHelpers.ps1')
    $script:LibtorrentMissing = Get-TestLibtorrentMissing

    $script:Data = Join-Path $TestDrive 'data'
    New-Item -ItemType Directory -Path $Data | Out-Null
    $script:Bytes = New-TestContent -Length (2MB + 777) -Seed 8
    [System.IO.File]::WriteAllBytes((Join-Path $Data 'shared.bin'), $Bytes)
    $script:Single = New-TestTorrent -Path (Join-Path $TestDrive 'shared.torrent') -Name 'shared.bin' -Content $Bytes -PieceLength 65536 -Announce 'http://127.0.0.1:1/announce'
    $script:AlbumFiles = @(
        @{ Path = 'a/one.bin'; Content = (New-TestContent -Length 150000 -Seed 9) }
        @{ Path = 'two.bin'; Content = (New-TestContent -Length 90000 -Seed 10) }
    )
    foreach ($file in $AlbumFiles) {
        $path = Join-Path $Data 'album' $file.Path
        New-Item -ItemType Directory -Path (Split-Path $path) -Force | Out-Null
        [System.IO.File]::WriteAllBytes($path, [byte[]]$file.Content)
    }
    $script:Album = New-TestTorrent -Path (Join-Path $TestDrive 'album.torrent') -Name 'album' -Files $AlbumFiles -PieceLength 32768 -Announce 'http://127.0.0.1:1/announce'

    # Starts $Script (a Start-TorrentSeed command) in a runspace of this process and returns it once the session seeds $InfoHash, with the
    # port the session listens on (one listener per process: an earlier test may have started it on another port).
    function Start-TestSeed([string] $Script, [string[]] $InfoHash) {
        $command = Start-TestRunspaceCommand $Script
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while ($true) {
            $seeding = @([TorrentPS.Engine.Session.TorrentSession]::Shared.Torrents | Where-Object { $_.Status.State -eq 'Seeding' } | ForEach-Object { $_.InfoHash })
            if (@($InfoHash | Where-Object { $_ -notin $seeding }).Count -eq 0) { break }
            if ([DateTime]::UtcNow -gt $deadline -or $command.Async.IsCompleted) { throw "The seed did not start: $($command.PowerShell.Streams.Error)" }
            Start-Sleep -Milliseconds 50
        }
        $command | Add-Member -NotePropertyName Port -NotePropertyValue ([TorrentPS.Engine.Session.TorrentSession]::Shared.ListenPort) -PassThru
    }

    function Get-TestHash([string] $Path) { (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash }
}

Describe 'Start-TorrentSeed' {
    Context 'To libtorrent downloaders' {
        It 'serves a torrent to a libtorrent downloader until the ratio is reached, then writes its result' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $seed = Start-TestSeed "Start-TorrentSeed -Path '$($Single.Path)' -DataPath '$Data' -ListenPort $((Get-TestLoopbackEndPoint).Port) -SeedRatio 1" -InfoHash $Single.InfoHash
            $received = Join-Path $TestDrive 'lt-single'
            New-Item -ItemType Directory -Path $received | Out-Null
            $downloader = Start-TestLibtorrentPeer -Torrent $Single.Path -SavePath $received -Mode download -ConnectTo "127.0.0.1:$($seed.Port)"
            try {
                Wait-TestLibtorrentDone $downloader -TimeoutSec 60 | Should -Be $Bytes.Length
                $result = Wait-TestRunspaceCommand $seed -TimeoutSec 30
            }
            finally {
                Stop-TestLibtorrentPeer $downloader
            }

            Get-TestHash (Join-Path $received 'shared.bin') | Should -Be (Get-TestHash (Join-Path $Data 'shared.bin'))
            $result | Should -HaveCount 1
            $result[0] | Should -BeOfType ([TorrentPS.Engine.Session.DownloadResult])
            $result[0].State | Should -Be 'Completed'
            $result[0].Uploaded | Should -BeGreaterOrEqual $Bytes.Length
            $result[0].Ratio | Should -BeGreaterOrEqual 1
            $result[0].Downloaded | Should -Be 0
            $result[0].Destination | Should -Be (Join-Path $Data 'shared.bin')
            $progress = @($seed.PowerShell.Streams.Progress | Where-Object ParentActivityId -EQ -1)
            $seed.PowerShell.Dispose()
            $progress[0].Activity | Should -Be 'Seeding shared.bin'
            $progress | Where-Object StatusDescription -Like 'Seeding: * uploaded*, ratio *, * peer*' | Should -Not -BeNullOrEmpty
            $progress[-1].RecordType | Should -Be 'Completed'
            $progress[-1].StatusDescription | Should -Match '^Completed in .+, 2\.00 MiB uploaded \(ratio 1\.\d\d\)$'
        }

        It 'seeds several torrents piped to it side by side, a multi-file one among them' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $seed = Start-TestSeed "'$($Single.Path)', '$($Album.Path)' | Start-TorrentSeed -DataPath '$Data' -SeedRatio 1" -InfoHash $Single.InfoHash, $Album.InfoHash
            $downloaders = foreach ($torrent in $Single, $Album) {
                $received = Join-Path $TestDrive "lt-both-$([IO.Path]::GetFileNameWithoutExtension($torrent.Path))"
                New-Item -ItemType Directory -Path $received | Out-Null
                Start-TestLibtorrentPeer -Torrent $torrent.Path -SavePath $received -Mode download -ConnectTo "127.0.0.1:$($seed.Port)"
            }
            try {
                foreach ($downloader in $downloaders) { $null = Wait-TestLibtorrentDone $downloader -TimeoutSec 60 }
                $results = Wait-TestRunspaceCommand $seed -TimeoutSec 30
            }
            finally {
                foreach ($downloader in $downloaders) { Stop-TestLibtorrentPeer $downloader }
                $seed.PowerShell.Dispose()
            }

            $results | Should -HaveCount 2
            $results.State | Sort-Object -Unique | Should -Be 'Completed'
            foreach ($file in $AlbumFiles) {
                Get-TestHash (Join-Path $TestDrive 'lt-both-album' 'album' $file.Path) | Should -Be (Get-TestHash (Join-Path $Data 'album' $file.Path))
            }
            ($results | Where-Object Name -EQ 'album').Files | Should -HaveCount 2
        }
    }

    Context 'Stopping (Ctrl+C)' {
        BeforeAll {
            if ($IsWindows -or -not (Get-Command opentracker -ErrorAction SilentlyContinue)) {
                $script:NoTracker = 'opentracker is not installed (apt-get install opentracker)'
                return
            }
            $script:NoTracker = $null
            $script:TrackedBytes = New-TestContent -Length 100000 -Seed 11
            $script:TrackedData = Join-Path $TestDrive 'tracked'
            New-Item -ItemType Directory -Path $TrackedData | Out-Null
            [System.IO.File]::WriteAllBytes((Join-Path $TrackedData 'tracked.bin'), $TrackedBytes)
            $script:Tracked = New-TestTorrent -Path (Join-Path $TestDrive 'tracked.torrent') -Name 'tracked.bin' -Content $TrackedBytes -PieceLength 16384 -Announce 'http://127.0.0.1:1/announce'
            $script:Tracker = Start-TestOpenTracker -InfoHash $Tracked.InfoHash
            $null = New-TestTorrent -Path $Tracked.Path -Name 'tracked.bin' -Content $TrackedBytes -PieceLength 16384 -Announce $Tracker.HttpUrl

            function Get-TestSeeders {
                (Get-TorrentTracker -LiteralPath $Tracked.Path -TimeoutSec 5).Seeders
            }
        }

        AfterAll {
            Stop-TestOpenTracker $script:Tracker
        }

        It 'stops promptly and tells the tracker it stopped' {
            if ($NoTracker) { Set-ItResult -Skipped -Because $NoTracker; return }
            $seed = Start-TestSeed "Start-TorrentSeed -LiteralPath '$($Tracked.Path)' -DataPath '$TrackedData'" -InfoHash $Tracked.InfoHash
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while ((Get-TestSeeders) -ne 1) {
                if ([DateTime]::UtcNow -gt $deadline) { throw 'The tracker never listed the seed.' }
                Start-Sleep -Milliseconds 200
            }

            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $seed.PowerShell.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 6
            $seed.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
            $seed.PowerShell.Dispose()

            Get-TestSeeders | Should -Be 0
        }
    }

    Context 'Data that is not complete' {
        BeforeAll {
            $script:Damaged = Join-Path $TestDrive 'damaged'
            New-Item -ItemType Directory -Path $Damaged | Out-Null
            $copy = [byte[]]$Bytes.Clone()
            $copy[100000] = $copy[100000] -bxor 0xff
            [System.IO.File]::WriteAllBytes((Join-Path $Damaged 'shared.bin'), $copy)
        }

        It 'refuses to seed it with IncompleteData, saying how much is valid and what to do' {
            $err = $null
            $out = Start-TorrentSeed -Path $Single.Path -DataPath $Damaged -ErrorVariable err -ErrorAction SilentlyContinue

            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'IncompleteData*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $err[0].Exception.Message | Should -BeLike '*shared.bin* has 32 of 33 pieces*'
            $err[0].ErrorDetails.RecommendedAction | Should -BeLike '*-AllowPartial*'
        }

        It 'seeds the valid pieces with -AllowPartial' {
            $result = Start-TorrentSeed -Path $Single.Path -DataPath $Damaged -AllowPartial -SeedTimeMinutes 0.02

            $result.State | Should -Be 'Completed'
            $result.VerifiedPieces | Should -Be 32
            $result.PieceCount | Should -Be 33
        }

        It 'refuses a -DataPath that is a file with PathIsFile' {
            { Start-TorrentSeed -Path $Single.Path -DataPath $Single.Path -ErrorAction Stop } | Should -Throw -ErrorId 'PathIsFile,*'
        }
    }
}
