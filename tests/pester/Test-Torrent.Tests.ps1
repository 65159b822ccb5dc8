BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')

    function New-TestBytes([int] $Length, [int] $Seed) {
        $bytes = [byte[]]::new($Length)
        [System.Random]::new($Seed).NextBytes($bytes)
        , $bytes
    }

    # Writes each file of a New-TestTorrent -Files list below $Folder/$Name, as a client that downloaded it would.
    function Write-TestContent([string] $Folder, [string] $Name, [hashtable[]] $Files) {
        foreach ($file in $Files) {
            $path = Join-Path $Folder $Name ($file.Path -replace '/', [System.IO.Path]::DirectorySeparatorChar)
            $null = New-Item -ItemType Directory -Force -Path (Split-Path $path)
            [System.IO.File]::WriteAllBytes($path, [byte[]]$file.Content)
        }
    }

    # Runs $Script in a fresh runspace with the module and $ProgressPreference = 'Continue'; returns its progress records.
    function Get-TestProgress([string] $Script) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', $script:ModuleManifest).AddParameter('ErrorAction', 'Stop')
            $null = $ps.AddStatement().AddScript("`$ProgressPreference = 'Continue'; $Script")
            $null = $ps.Invoke()
            @($ps.Streams.Progress)
        }
        finally {
            $ps.Dispose()
        }
    }
}

Describe 'Test-Torrent' {
    BeforeAll {
        $script:singleContent = New-TestBytes 100000 1
        $script:single = New-TestTorrent -Path (Join-Path $TestDrive 'single.torrent') -Name 'single.bin' -Content $singleContent -PieceLength 16384
        $script:albumFiles = @(
            @{ Path = 'cd1/track1.flac'; Content = (New-TestBytes 40000 2) }
            @{ Path = 'cd1/track2.flac'; Content = (New-TestBytes 25000 3) }
            @{ Path = 'cover.jpg'; Content = (New-TestBytes 3000 4) }
        )
        $script:album = New-TestTorrent -Path (Join-Path $TestDrive 'album.torrent') -Name 'album' -Files $albumFiles -PieceLength 16384
    }

    BeforeEach {
        # Fresh, intact data for every test: $data holds single.bin and the album folder.
        $script:data = Join-Path $TestDrive "data-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType Directory -Path $data
        [System.IO.File]::WriteAllBytes((Join-Path $data 'single.bin'), $singleContent)
        Write-TestContent -Folder $data -Name 'album' -Files $albumFiles
    }

    Context 'Command shape' {
        It 'has the Path, LiteralPath and Torrent parameter sets, Path by default' {
            $command = Get-Command Test-Torrent
            $command.ParameterSets.Name | Sort-Object | Should -Be @('LiteralPath', 'Path', 'Torrent')
            $command.DefaultParameterSet | Should -Be 'Path'
        }

        It 'declares Boolean and VerificationResult as its outputs' {
            (Get-Command Test-Torrent).OutputType.Name | Should -Be @('System.Boolean', 'TorrentPS.Engine.Storage.VerificationResult')
        }
    }

    Context 'Verdicts' {
        It 'is true for intact data, so it reads naturally in Pester' {
            Test-Torrent $single.Path -DataPath $data | Should -BeTrue
            Test-Torrent -LiteralPath $album.Path -DataPath $data | Should -BeTrue
        }

        It 'checks the current location when -DataPath is not given' {
            Push-Location $data
            try {
                Test-Torrent $album.Path | Should -BeTrue
            }
            finally {
                Pop-Location
            }
        }

        It 'takes a TorrentInfo from the pipeline' {
            Get-TorrentInfo $album.Path | Test-Torrent -DataPath $data | Should -BeTrue
        }

        It 'binds the PSPath of Get-ChildItem output and writes one verdict per torrent' {
            $verdicts = @(Get-ChildItem -LiteralPath $TestDrive -Filter '*.torrent' | Sort-Object Name | Test-Torrent -DataPath $data)
            $verdicts | Should -Be @($true, $true)
        }

        It 'is false when one byte changed, and names exactly that piece as invalid' {
            $path = Join-Path $data 'album' 'cd1' 'track2.flac'
            $bytes = [System.IO.File]::ReadAllBytes($path)
            $bytes[20000] = $bytes[20000] -bxor 0x01
            [System.IO.File]::WriteAllBytes($path, $bytes)

            Test-Torrent $album.Path -DataPath $data | Should -BeFalse
            $result = Test-Torrent $album.Path -DataPath $data -Detailed
            $result.InvalidPieces | Should -Be @([math]::Floor((40000 + 20000) / 16384))
            $result.MissingPieces | Should -BeNullOrEmpty
            $result.ValidPieceCount | Should -Be ($result.PieceCount - 1)
        }

        It 'reports a truncated file: the pieces past its end are missing' {
            $path = Join-Path $data 'single.bin'
            [System.IO.File]::WriteAllBytes($path, $singleContent[0..49999])

            $result = Test-Torrent $single.Path -DataPath $data -Detailed
            $result.IsComplete | Should -BeFalse
            $result.MissingPieces | Should -Be @(3, 4, 5, 6)
            $result.InvalidPieces | Should -BeNullOrEmpty
            $result.Files[0].ExistingLength | Should -Be 50000
        }

        It 'reports a missing file: it does not exist and its pieces are missing' {
            Remove-Item -LiteralPath (Join-Path $data 'album' 'cover.jpg')

            $result = Test-Torrent $album.Path -DataPath $data -Detailed
            $cover = $result.Files | Where-Object RelativePath -EQ 'cover.jpg'
            $cover.Exists | Should -BeFalse
            $cover.IsComplete | Should -BeFalse
            $result.MissingPieces | Should -Be @(3, 4)
        }

        It 'ignores an extra file in the folder' {
            Set-Content -LiteralPath (Join-Path $data 'album' 'extra.nfo') -Value 'not in the torrent'
            Test-Torrent $album.Path -DataPath $data | Should -BeTrue
        }

        It 'reports a file replaced by a folder as missing, without an error' {
            $path = Join-Path $data 'album' 'cd1' 'track1.flac'
            Remove-Item -LiteralPath $path
            $null = New-Item -ItemType Directory -Path $path
            $err = $null

            $result = Test-Torrent $album.Path -DataPath $data -Detailed -ErrorVariable err
            $err | Should -BeNullOrEmpty
            $result.IsComplete | Should -BeFalse
            $result.MissingPieces | Should -Be @(0, 1, 2)
            ($result.Files | Where-Object RelativePath -EQ 'cd1/track1.flac').Exists | Should -BeFalse
        }
    }

    Context 'The detailed result' {
        It 'carries the torrent, the piece counts and each file' {
            $result = Test-Torrent $album.Path -DataPath $data -Detailed
            $result | Should -BeOfType ([TorrentPS.Engine.Storage.VerificationResult])
            $result.Name | Should -Be 'album'
            $result.InfoHash | Should -Be $album.InfoHash
            $result.IsComplete | Should -BeTrue
            $result.PieceCount | Should -Be 5
            $result.ValidPieceCount | Should -Be 5
            $result.Elapsed | Should -BeOfType ([double])
            $result.Files.RelativePath | Should -Be @('cd1/track1.flac', 'cd1/track2.flac', 'cover.jpg')
            $result.Files.Path | Should -Be @(
                (Join-Path $data 'album' 'cd1' 'track1.flac')
                (Join-Path $data 'album' 'cd1' 'track2.flac')
                (Join-Path $data 'album' 'cover.jpg'))
            # Files is an array, so .Length would be its count: take each file's.
            $result.Files | ForEach-Object Length | Should -Be @(40000, 25000, 3000)
            $result.Files.ExistingLength | Should -Be @(40000, 25000, 3000)
            $result.Files.IsComplete | Should -Be @($true, $true, $true)
        }

        It 'shows as a table, and its files too' {
            $result = Test-Torrent $album.Path -DataPath $data -Detailed
            $table = $result | Out-String
            $table | Should -Match 'Name\s+IsComplete\s+Valid\s+Invalid\s+Missing\s+Files\s+Elapsed'
            $table | Should -Match 'album\s+True\s+5/5\s+0\s+0\s+3'
            $files = $result.Files | Out-String
            $files | Should -Match 'Status\s+Length\s+ExistingLength\s+RelativePath'
            $files | Should -Match 'Complete\s+39.1 KiB\s+39.1 KiB\s+cd1/track1.flac'
        }
    }

    Context 'Errors' {
        It 'reports a missing .torrent as PathNotFound and goes on with the others' {
            $err = $null
            $verdicts = @(Test-Torrent -LiteralPath (Join-Path $TestDrive 'missing.torrent'), $single.Path -DataPath $data -ErrorVariable err -ErrorAction SilentlyContinue)
            $verdicts | Should -Be @($true)
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound*'
        }

        It 'reports a file that is not a torrent as InvalidBencode naming it' {
            $bad = Join-Path $TestDrive 'bad.torrent'
            Set-Content -LiteralPath $bad -Value '<html>not found</html>' -NoNewline
            $err = $null
            Test-Torrent -LiteralPath $bad -DataPath $data -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidBencode*'
            $err[0].TargetObject | Should -Be $bad
        }

        It 'stops with PathIsFile when -DataPath is a file' {
            { Test-Torrent $single.Path -DataPath $single.Path -ErrorAction Stop } | Should -Throw -ErrorId 'PathIsFile*'
        }

        It 'stops with NotFileSystemPath when -DataPath is on another provider' {
            { Test-Torrent $single.Path -DataPath 'Env:' -ErrorAction Stop } | Should -Throw -ErrorId 'NotFileSystemPath*'
        }

        It 'reports a -DataPath that does not exist as DataPathNotFound, with no answer' {
            $err = $null
            Test-Torrent $single.Path -DataPath (Join-Path $TestDrive 'nowhere') -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DataPathNotFound*'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'reports a data file locked by another process as FileLocked' -Skip:$IsWindows {
            $path = Join-Path $data 'single.bin'
            $holder = [System.IO.FileStream]::new($path, 'Open', 'ReadWrite', 'None')
            try {
                $err = $null
                Test-Torrent $single.Path -DataPath $data -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                $err[0].FullyQualifiedErrorId | Should -BeLike 'FileLocked*'
                $err[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
            }
            finally {
                $holder.Dispose()
            }
        }
    }

    Context 'Progress and Ctrl+C' {
        It 'writes one activity per torrent, named Verifying and the torrent name, ending with the verdict' {
            $records = @(Get-TestProgress "Test-Torrent -LiteralPath '$($single.Path)', '$($album.Path)' -DataPath '$data'")
            $activities = @($records | Group-Object ActivityId)
            $activities.Count | Should -Be 2
            @($activities | ForEach-Object { $_.Group[0].Activity }) | Should -Be @('Verifying single.bin', 'Verifying album')
            foreach ($activity in $activities) {
                @($activity.Group)[-1].RecordType | Should -Be 'Completed'
                @($activity.Group | Where-Object RecordType -EQ 'Completed').Count | Should -Be 1
            }
            @($activities[0].Group)[-1].StatusDescription | Should -Be '7/7 pieces valid'
            @($activities[0].Group)[0].StatusDescription | Should -BeLike '* of 97.7 KiB*'
        }

        It 'stops at once when the pipeline is stopped' {
            # 8 GiB of holes in a sparse file: hashing them takes seconds, reading them costs nothing on disk.
            $big = Join-Path $TestDrive 'big'
            $null = New-Item -ItemType Directory -Path $big
            $stream = [System.IO.File]::Create((Join-Path $big 'huge.bin'))
            $stream.SetLength(8GB)
            $stream.Dispose()
            $info = [ordered]@{ length = 8GB; name = 'huge.bin'; 'piece length' = 16MB; pieces = [byte[]]::new(20 * 512) }
            $torrentPath = Join-Path $TestDrive 'huge.torrent'
            [System.IO.File]::WriteAllBytes($torrentPath, (ConvertTo-Bencode ([ordered]@{ info = $info }) -AsByteArray))

            $ps = [powershell]::Create()
            try {
                # One script, not a batch of statements: a batch's next statement still queued when the stopped
                # PowerShell is disposed throws on a pool thread and ends the whole process.
                $null = $ps.AddScript('param($Manifest, $Torrent, $Data) Import-Module $Manifest; Test-Torrent -LiteralPath $Torrent -DataPath $Data').
                    AddParameter('Manifest', $script:ModuleManifest).AddParameter('Torrent', $torrentPath).AddParameter('Data', $big)
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
        }
    }
}
