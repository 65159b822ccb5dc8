# New-Torrent: torrents of files and folders, every parameter, the pipelines into Export-Torrent, Test-Torrent and
# Start-TorrentSeed (a python3-libtorrent downloader on 127.0.0.0/8 fetches what it seeds), errors, -WhatIf, progress, Ctrl+C.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'LibtorrentTestHelpers.ps1')
    $script:LibtorrentMissing = Get-TestLibtorrentMissing

    # Writes $Length random bytes (from $Seed) at $Path, making its folder.
    function Write-TestFile([string] $Path, [int] $Length, [int] $Seed = 1) {
        $null = New-Item -ItemType Directory -Force -Path (Split-Path $Path)
        [System.IO.File]::WriteAllBytes($Path, (New-TestContent -Length $Length -Seed $Seed))
    }

    # A fresh folder below TestDrive holding 'album': a.bin, sub/b.bin, empty.txt, .hidden and scratch.tmp.
    function New-TestAlbum {
        $parent = Join-Path $TestDrive "content-$([guid]::NewGuid().ToString('N'))"
        $album = Join-Path $parent 'album'
        Write-TestFile (Join-Path $album 'a.bin') 100000 1
        Write-TestFile (Join-Path $album 'sub' 'b.bin') 40000 2
        Write-TestFile (Join-Path $album '.hidden') 10 3
        Write-TestFile (Join-Path $album 'scratch.tmp') 10 4
        $null = New-Item -ItemType File -Path (Join-Path $album 'empty.txt')
        [pscustomobject]@{ Parent = $parent; Album = $album }
    }

    function Get-TestSha1([byte[]] $Bytes) { [System.Convert]::ToHexString([System.Security.Cryptography.SHA1]::HashData($Bytes)).ToLowerInvariant() }

    # Runs $Script in a fresh runspace with the module and $ProgressPreference = 'Continue'; returns its progress records.
    function Get-TestProgress([string] $Script) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$($script:ModuleManifest)' -ErrorAction Stop; `$ProgressPreference = 'Continue'; $Script")
            $null = $ps.Invoke()
            @($ps.Streams.Progress)
        }
        finally {
            $ps.Dispose()
        }
    }
}

Describe 'New-Torrent' {
    BeforeEach {
        $script:content = New-TestAlbum
    }

    Context 'Command shape' {
        It 'has the Path and LiteralPath parameter sets, Path by default, and supports ShouldProcess' {
            $command = Get-Command New-Torrent
            $command.ParameterSets.Name | Sort-Object | Should -Be @('LiteralPath', 'Path')
            $command.DefaultParameterSet | Should -Be 'Path'
            $command.Parameters.Keys | Should -Contain 'WhatIf'
            $command.Parameters.Keys | Should -Contain 'Confirm'
        }

        It 'declares TorrentInfo as its output' {
            (Get-Command New-Torrent).OutputType.Name | Should -Be 'TorrentPS.Engine.Metainfo.TorrentInfo'
        }
    }

    Context 'What it makes' {
        It 'makes a single-file torrent of a file, the SHA-1 of its info dictionary as its info hash, and writes nothing' {
            $file = Join-Path $content.Album 'a.bin'
            $torrent = New-Torrent -Path $file

            $torrent | Should -BeOfType ([TorrentPS.Engine.Metainfo.TorrentInfo])
            $torrent.Name | Should -Be 'a.bin'
            $torrent.IsMultiFile | Should -BeFalse
            $torrent.Length | Should -Be 100000
            $torrent.SourcePath | Should -BeNullOrEmpty
            $torrent.InfoHash | Should -Be (Get-TestSha1 $torrent.GetRawInfo().ToArray())
            @(Get-ChildItem -LiteralPath $content.Parent -Filter '*.torrent' -Recurse) | Should -HaveCount 0
            $torrent | Test-Torrent -DataPath $content.Album | Should -BeTrue
        }

        It 'makes a multi-file torrent of a folder, in path order, with hidden and empty files, that Test-Torrent finds complete' {
            $torrent = New-Torrent $content.Album

            $torrent.Name | Should -Be 'album'
            $torrent.IsMultiFile | Should -BeTrue
            $torrent.Files.Path | Should -Be @('.hidden', 'a.bin', 'empty.txt', 'scratch.tmp', 'sub/b.bin')
            ($torrent.Files | Where-Object Path -EQ 'empty.txt').Length | Should -Be 0
            $torrent.CreatedBy | Should -BeLike 'TorrentPS *'
            $torrent.CreationDate | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddMinutes(-5))
            $torrent | Test-Torrent -DataPath $content.Parent | Should -BeTrue
        }

        It 'takes a folder whose name holds wildcard characters through -LiteralPath, and binds PSPath from Get-Item' {
            $odd = Join-Path $content.Parent 'odd[1]'
            Write-TestFile (Join-Path $odd 'x.bin') 5000 5

            (New-Torrent -LiteralPath $odd).Name | Should -Be 'odd[1]'
            (Get-Item -LiteralPath $odd | New-Torrent).Files.Path | Should -Be @('x.bin')
        }

        It 'makes one torrent per folder piped from Get-ChildItem into a destination folder' {
            $second = Join-Path $content.Parent 'second'
            Write-TestFile (Join-Path $second 'c.bin') 3000 6
            $out = Join-Path $TestDrive "out-$([guid]::NewGuid().ToString('N'))"
            $null = New-Item -ItemType Directory -Path $out

            $torrents = @(Get-ChildItem -LiteralPath $content.Parent -Directory | New-Torrent -Destination $out)

            $torrents.Name | Sort-Object | Should -Be @('album', 'second')
            (Get-ChildItem -LiteralPath $out).Name | Sort-Object | Should -Be @('album.torrent', 'second.torrent')
        }

        It 'resolves a -Path wildcard that matches one item, and refuses one that matches several' {
            (New-Torrent (Join-Path $content.Parent 'alb*')).Name | Should -Be 'album'
            Write-TestFile (Join-Path $content.Parent 'albatross' 'y.bin') 100 7

            $err = $null
            New-Torrent (Join-Path $content.Parent 'alb*') -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'AmbiguousPath*'
        }
    }

    Context 'Every parameter' {
        It 'writes -Destination whole, reads it back as its SourcePath, and -NoCreationDate makes it the bytes Export-Torrent writes' {
            $path = Join-Path $content.Parent 'album.torrent'
            $torrent = New-Torrent $content.Album -Destination $path -NoCreationDate

            $torrent.SourcePath | Should -Be $path
            $torrent.CreationDate | Should -BeNullOrEmpty
            (Get-TorrentInfo $path).InfoHash | Should -Be $torrent.InfoHash
            $exported = Join-Path $content.Parent 'exported.torrent'
            New-Torrent $content.Album -NoCreationDate | Export-Torrent -Path $exported
            (Get-FileHash -LiteralPath $exported).Hash | Should -Be (Get-FileHash -LiteralPath $path).Hash
        }

        It 'does not take the file it writes into the folder it shares' {
            Push-Location $content.Album
            try {
                $first = New-Torrent . -Destination ./album.torrent
                $again = New-Torrent . -Destination ./album.torrent -Force
            }
            finally {
                Pop-Location
            }

            $first.Files.Path | Should -Not -Contain 'album.torrent'
            $again.InfoHash | Should -Be $first.InfoHash
        }

        It 'writes <Name>.torrent in a folder given as -Destination' {
            $torrent = New-Torrent $content.Album -Destination $content.Parent
            $torrent.SourcePath | Should -Be (Join-Path $content.Parent 'album.torrent')
            Test-Path -LiteralPath (Join-Path $content.Parent 'album.torrent') | Should -BeTrue
        }

        It 'leaves an existing destination alone with FileExists, and replaces it with -Force' {
            $path = Join-Path $content.Parent 'taken.torrent'
            Set-Content -LiteralPath $path -Value 'mine'
            $err = $null

            New-Torrent $content.Album -Destination $path -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FileExists*'
            $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            $err[0].ErrorDetails.RecommendedAction | Should -BeLike '*-Force*-Destination*'
            Get-Content -LiteralPath $path | Should -Be 'mine'

            (New-Torrent $content.Album -Destination $path -Force).Name | Should -Be 'album'
            (Get-TorrentInfo $path).Name | Should -Be 'album'
        }

        It 'writes nothing and outputs nothing with -WhatIf, and asks nothing without -Destination' {
            $path = Join-Path $content.Parent 'whatif.torrent'
            New-Torrent $content.Album -Destination $path -WhatIf 6>$null | Should -BeNullOrEmpty
            Test-Path -LiteralPath $path | Should -BeFalse
            @(Get-ChildItem -LiteralPath $content.Parent -File) | Should -HaveCount 0

            (New-Torrent $content.Album -WhatIf).Name | Should -Be 'album'
            (New-Torrent $content.Album -Destination $path -Confirm:$false).Name | Should -Be 'album'
        }

        It 'makes each -Tracker string a tier and an array in the list one tier' {
            $torrent = New-Torrent $content.Album -Tracker 'http://127.0.0.1:1/announce', @('udp://127.0.0.1:2', 'udp://127.0.0.1:3'), 'http://127.0.0.1:4/announce'
            $torrent.Announce | Should -Be 'http://127.0.0.1:1/announce'
            $torrent.TrackerTiers.Count | Should -Be 3
            $torrent.TrackerTiers[1] | Should -Be @('udp://127.0.0.1:2', 'udp://127.0.0.1:3')
            (New-Torrent $content.Album -Tracker (, @('a://1', 'b://2'))).TrackerTiers.Count | Should -Be 1
        }

        It 'writes -WebSeed, -Private, -Comment, -Source and -CreatedBy where readers find them' {
            $plain = New-Torrent $content.Album
            $torrent = New-Torrent $content.Album -WebSeed 'http://127.0.0.1:5/files/' -Private -Comment 'made by Pester' -Source 'TPS' -CreatedBy 'Pester'

            $torrent.WebSeeds | Should -Be @('http://127.0.0.1:5/files/')
            $torrent.IsPrivate | Should -BeTrue
            $torrent.Comment | Should -Be 'made by Pester'
            $torrent.Source | Should -Be 'TPS'
            $torrent.CreatedBy | Should -Be 'Pester'
            $torrent.InfoHash | Should -Not -Be $plain.InfoHash # private and source are in the info dictionary
            (New-Torrent $content.Album -CreatedBy '').CreatedBy | Should -BeNullOrEmpty
        }

        It 'uses -PieceLength, and picks one from the size without it' {
            (New-Torrent $content.Album -PieceLength 32KB).PieceLength | Should -Be 32KB
            (New-Torrent $content.Album).PieceLength | Should -Be 16KB
        }

        It 'refuses a -PieceLength that is not a power of two, before anything is hashed' {
            { New-Torrent $content.Album -PieceLength 48KB } | Should -Throw -ErrorId 'InvalidPieceLength,TorrentPS.Commands.NewTorrentCommand'
            { New-Torrent $content.Album -PieceLength 8KB } | Should -Throw -ErrorId 'ParameterArgumentValidationError,TorrentPS.Commands.NewTorrentCommand'
        }

        It 'makes a hybrid torrent with -Version Hybrid: two info hashes and padding files' {
            $torrent = New-Torrent $content.Album -Version Hybrid -PieceLength 16KB -NoCreationDate

            $torrent.IsHybrid | Should -BeTrue
            $torrent.InfoHashV2 | Should -Match '^[0-9a-f]{64}$'
            $torrent.InfoHashV2 | Should -Be ([System.Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($torrent.GetRawInfo().ToArray())).ToLowerInvariant())
            ($torrent.Files | Where-Object IsPadding).Path | Should -Be @('.pad/16374', '.pad/14688', '.pad/16374', '.pad/9152')
            ($torrent.Files | Where-Object { -not $_.IsPadding -and $_.Length -gt 0 }).Offset | ForEach-Object { $_ % 16KB } | Should -Be @(0, 0, 0, 0)
            $torrent | Test-Torrent -DataPath $content.Parent | Should -BeTrue
            (New-Torrent $content.Album).IsHybrid | Should -BeFalse
        }

        It 'leaves out what -Exclude names' {
            (New-Torrent $content.Album -Exclude '.*', '*.TMP').Files.Path | Should -Be @('a.bin', 'empty.txt', 'sub/b.bin')
            (New-Torrent $content.Album -Exclude 'sub').Files.Path | Should -Not -Contain 'sub/b.bin'
        }
    }

    Context 'Errors and warnings' {
        It 'writes PathNotFound for a path that is not there, and goes on with the next input' {
            $err = $null
            $torrents = @((Join-Path $content.Parent 'nothing'), $content.Album | New-Torrent -ErrorVariable err -ErrorAction SilentlyContinue)
            $torrents.Name | Should -Be @('album')
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound*'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'writes EmptyContent for a folder with nothing to share' {
            $empty = Join-Path $content.Parent 'hollow'
            $null = New-Item -ItemType Directory -Path (Join-Path $empty 'inner')
            $err = $null
            New-Torrent $empty -Destination (Join-Path $content.Parent 'hollow.torrent') -ErrorVariable err -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'EmptyContent*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            Test-Path -LiteralPath (Join-Path $content.Parent 'hollow.torrent') | Should -BeFalse
        }

        It 'warns about an empty folder and a link that leads out, and leaves them out' -Skip:$IsWindows {
            $null = New-Item -ItemType Directory -Path (Join-Path $content.Album 'nothing')
            Write-TestFile (Join-Path $content.Parent 'outside.txt') 10 8
            $null = New-Item -ItemType SymbolicLink -Path (Join-Path $content.Album 'escape') -Target (Join-Path $content.Parent 'outside.txt')
            $warnings = $null
            $torrent = New-Torrent $content.Album -WarningVariable warnings -WarningAction SilentlyContinue
            $torrent.Files.Path | Should -Not -Contain 'escape'
            @($warnings | Where-Object { $_ -like '*nothing*folder*' }) | Should -HaveCount 1
            @($warnings | Where-Object { $_ -like '*escape*out of the content folder*' }) | Should -HaveCount 1
        }

        It 'says under -Verbose what it hashed and where it wrote' {
            $path = Join-Path $content.Parent 'verbose.torrent'
            $verbose = New-Torrent $content.Album -Destination $path -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            ($verbose.Message -join "`n") | Should -BeLike "*Wrote album (*) to $path.*"
            ($verbose.Message -join "`n") | Should -BeLike '*album: 5 files, 140020 bytes in 9 pieces*'
        }
    }

    Context 'Progress and Ctrl+C' {
        It 'writes one activity with the bytes hashed, the rate and the time remaining, ending Completed' {
            # 1 GiB of holes in a sparse file: a second or so of hashing, nothing on disk.
            $big = Join-Path $content.Parent 'big.bin'
            $stream = [System.IO.File]::Create($big)
            $stream.SetLength(1GB)
            $stream.Dispose()
            $records = @(Get-TestProgress "New-Torrent -LiteralPath '$big'")

            @($records.ActivityId | Sort-Object -Unique) | Should -HaveCount 1
            $records[0].Activity | Should -Be 'Creating a torrent of big.bin'
            $records[-1].RecordType | Should -Be 'Completed'
            $records[-1].StatusDescription | Should -Be '2048 pieces of 512 KiB hashed'
            @($records | Where-Object RecordType -EQ 'Completed') | Should -HaveCount 1
            $processing = @($records | Where-Object RecordType -EQ 'Processing')
            @($processing | Where-Object { $_.StatusDescription -like '* of 1.00 GiB at *' }) | Should -Not -BeNullOrEmpty
            @($processing | Where-Object { $_.PercentComplete -in 0..100 -and $_.SecondsRemaining -ge 0 }) | Should -Not -BeNullOrEmpty
        }

        It 'stops at once when the pipeline is stopped, and writes nothing' {
            # 8 GiB of holes in a sparse file: hashing them takes seconds, reading them costs nothing on disk.
            $big = Join-Path $TestDrive "sparse-$([guid]::NewGuid().ToString('N'))"
            $null = New-Item -ItemType Directory -Path $big
            $stream = [System.IO.File]::Create((Join-Path $big 'huge.bin'))
            $stream.SetLength(8GB)
            $stream.Dispose()
            $target = Join-Path $TestDrive 'huge.torrent'

            $ps = [powershell]::Create()
            try {
                # One script, not a batch of statements: a batch's next statement still queued when the stopped
                # PowerShell is disposed throws on a pool thread and ends the whole process.
                $null = $ps.AddScript('param($Manifest, $Content, $Target) Import-Module $Manifest; New-Torrent -LiteralPath $Content -Destination $Target').
                    AddParameter('Manifest', $script:ModuleManifest).AddParameter('Content', $big).AddParameter('Target', $target)
                $async = $ps.BeginInvoke()
                # Stopped once hashing is under way (its first progress record).
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                while ($ps.Streams.Progress.Count -eq 0 -and -not $async.IsCompleted -and [DateTime]::UtcNow -lt $deadline) {
                    Start-Sleep -Milliseconds 20
                }
                $async.IsCompleted | Should -BeFalse -Because 'hashing 8 GiB takes longer than starting to'
                $ps.Streams.Progress.Count | Should -BeGreaterThan 0
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                $ps.Stop()
                $watch.Elapsed.TotalSeconds | Should -BeLessThan 2
                $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            }
            finally {
                $ps.Dispose()
            }

            Test-Path -LiteralPath $target | Should -BeFalse
            @(Get-ChildItem -LiteralPath $TestDrive -Filter 'huge.torrent*') | Should -HaveCount 0
        }
    }

    Context 'Seeding what it made' {
        It 'pipes into Start-TorrentSeed, which serves a libtorrent downloader byte for byte' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $path = Join-Path $content.Parent 'album.torrent'
            $port = (Get-TestLoopbackEndPoint).Port
            $seed = Start-TestRunspaceCommand "New-Torrent -LiteralPath '$($content.Album)' -Destination '$path' -Version Hybrid | Start-TorrentSeed -DataPath '$($content.Parent)' -ListenPort $port -SeedRatio 1"
            $received = Join-Path $TestDrive "received-$([guid]::NewGuid().ToString('N'))"
            $null = New-Item -ItemType Directory -Path $received
            $downloader = $null
            try {
                # The seed starts once the torrent is made and written: wait for the session to serve it.
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                while (-not ([TorrentPS.Engine.Session.TorrentSession]::Shared.Torrents | Where-Object { $_.Name -eq 'album' -and $_.Status.State -eq 'Seeding' })) {
                    if ([DateTime]::UtcNow -gt $deadline -or $seed.Async.IsCompleted) { throw "The seed did not start: $($seed.PowerShell.Streams.Error)" }
                    Start-Sleep -Milliseconds 50
                }
                $listening = [TorrentPS.Engine.Session.TorrentSession]::Shared.ListenPort
                $downloader = Start-TestLibtorrentPeer -Torrent $path -SavePath $received -Mode download -ConnectTo "127.0.0.1:$listening"
                $null = Wait-TestLibtorrentDone $downloader -TimeoutSec 60
                $result = Wait-TestRunspaceCommand $seed -TimeoutSec 30
            }
            finally {
                Stop-TestLibtorrentPeer $downloader
                $seed.PowerShell.Dispose()
            }

            $result | Should -HaveCount 1
            $result[0].State | Should -Be 'Completed'
            foreach ($file in 'a.bin', 'sub/b.bin', '.hidden', 'scratch.tmp', 'empty.txt') {
                (Get-FileHash -LiteralPath (Join-Path $received 'album' $file)).Hash | Should -Be (Get-FileHash -LiteralPath (Join-Path $content.Album $file)).Hash
            }
        }
    }
}
