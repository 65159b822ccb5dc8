BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')
}

Describe 'Get-TorrentInfo' {
    BeforeAll {
        $script:single = New-TestTorrent -Path (Join-Path $TestDrive 'hello.torrent') -Comment 'made by Pester'
        $script:multi = New-TestTorrent -Path (Join-Path $TestDrive 'album.torrent') -Name 'album' -PieceLength 16384 -Private -Files @(
            @{ Path = 'cd1/track1.flac'; Content = [byte[]]::new(40000) }
            @{ Path = 'cover.jpg'; Content = [System.Text.Encoding]::UTF8.GetBytes('jpeg bytes') }
        )
        $script:folder = Join-Path $TestDrive 'folder'
        New-Item -ItemType Directory -Path $folder | Out-Null
        $null = New-TestTorrent -Path (Join-Path $folder 'one.torrent') -Name 'one.txt'
        $null = New-TestTorrent -Path (Join-Path $folder 'two.torrent') -Name 'two.txt' -Content ([byte[]](1..100))
        Set-Content -LiteralPath (Join-Path $folder 'notes.txt') -Value 'not a torrent'
    }

    Context 'reading torrents' {
        It 'reads a single-file torrent into a TorrentInfo' {
            $t = Get-TorrentInfo -Path $single.Path
            $t | Should -BeOfType ([TorrentPS.Engine.Metainfo.TorrentInfo])
            $t.Name | Should -Be 'hello.txt'
            $t.Length | Should -Be 15
            $t.PieceLength | Should -Be 32768
            $t.PieceCount | Should -Be 1
            $t.FileCount | Should -Be 1
            $t.IsMultiFile | Should -BeFalse
            $t.Announce | Should -Be 'http://127.0.0.1:6969/announce'
            $t.Comment | Should -Be 'made by Pester'
            $t.CreationDate | Should -Be ([DateTimeOffset]::FromUnixTimeSeconds(1700000000))
            $t.SourcePath | Should -Be (Resolve-Path -LiteralPath $single.Path).ProviderPath
        }

        It 'computes the info hash over the info dictionary' {
            (Get-TorrentInfo -Path $single.Path).InfoHash | Should -Be $single.InfoHash
        }

        It 'reads the files, offsets and private flag of a multi-file torrent' {
            $t = Get-TorrentInfo -LiteralPath $multi.Path
            $t.IsMultiFile | Should -BeTrue
            $t.IsPrivate | Should -BeTrue
            $t.Length | Should -Be 40010
            $t.PieceCount | Should -Be 3
            $t.Files.Path | Should -Be @('cd1/track1.flac', 'cover.jpg')
            $t.Files.Offset | Should -Be @(0, 40000)
        }

        It 'expands wildcards in -Path and skips what is not a file' {
            $names = Get-TorrentInfo -Path (Join-Path $folder '*.torrent') | ForEach-Object Name
            $names | Sort-Object | Should -Be @('one.txt', 'two.txt')
        }

        It 'takes paths from the pipeline by value' {
            @($single.Path, $multi.Path) | Get-TorrentInfo | ForEach-Object Name | Should -Be @('hello.txt', 'album')
        }

        It 'binds the PSPath of Get-ChildItem output to -LiteralPath' {
            $t = Get-ChildItem -LiteralPath $folder -Filter '*.torrent' | Get-TorrentInfo
            $t | Should -HaveCount 2
            $t.Name | Sort-Object | Should -Be @('one.txt', 'two.txt')
        }

        It 'reads a path with wildcard characters in its name with -LiteralPath' {
            $odd = Join-Path $TestDrive 'odd[1].torrent'
            [System.IO.File]::Copy($single.Path, $odd)
            (Get-TorrentInfo -LiteralPath $odd).InfoHash | Should -Be $single.InfoHash
        }
    }

    Context 'errors' {
        It 'reports a missing file as PathNotFound' {
            $err = $null
            Get-TorrentInfo -Path (Join-Path $TestDrive 'missing.torrent') -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound*'
        }

        It 'reports a file that is not bencode as InvalidBencode and goes on with the others' {
            $bad = Join-Path $TestDrive 'bad.torrent'
            Set-Content -LiteralPath $bad -Value '<html>not found</html>' -NoNewline
            $err = $null
            $out = Get-TorrentInfo -LiteralPath $single.Path, $bad, $multi.Path -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -HaveCount 2
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidBencode*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $err[0].TargetObject | Should -Be (Resolve-Path -LiteralPath $bad).ProviderPath
        }

        It 'reports bencode that is not a torrent as InvalidTorrent' {
            $notTorrent = Join-Path $TestDrive 'dict.torrent'
            [System.IO.File]::WriteAllBytes($notTorrent, (ConvertTo-Bencode @{ announce = 'x' } -AsByteArray))
            $err = $null
            Get-TorrentInfo -LiteralPath $notTorrent -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidTorrent*'
        }

        It 'reports piece hashes that do not match the length as InvalidTorrent' {
            $wrong = Join-Path $TestDrive 'wrong.torrent'
            $info = [ordered]@{ length = 100000; name = 'x'; 'piece length' = 16384; pieces = [byte[]]::new(20) }
            [System.IO.File]::WriteAllBytes($wrong, (ConvertTo-Bencode ([ordered]@{ info = $info }) -AsByteArray))
            $err = $null
            Get-TorrentInfo -LiteralPath $wrong -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidTorrent*'
        }

        It 'reports a directory as PathIsDirectory' {
            $err = $null
            Get-TorrentInfo -LiteralPath $folder -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PathIsDirectory*'
        }

        It 'refuses paths of other providers with NotFileSystemPath' {
            $err = $null
            Get-TorrentInfo -LiteralPath 'Env:PATH' -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'NotFileSystemPath*'
        }

        It 'stops on a missing file with -ErrorAction Stop, keeping the error id' {
            { Get-TorrentInfo -Path (Join-Path $TestDrive 'missing.torrent') -ErrorAction Stop } | Should -Throw -ErrorId 'PathNotFound*'
        }

        It 'stops on a file read on the thread pool with -ErrorAction Stop, keeping the error id' {
            $bad = Join-Path $TestDrive 'bad-stop.torrent'
            Set-Content -LiteralPath $bad -Value 'garbage' -NoNewline
            { Get-TorrentInfo -LiteralPath $bad -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidBencode*'
        }
    }

    Context 'formatting' {
        It 'lists a TorrentInfo with human-readable sizes under Format-List' {
            $text = Get-TorrentInfo -LiteralPath $multi.Path | Format-List | Out-String
            $text | Should -Match 'Name\s+: album'
            $text | Should -Match ('InfoHash\s+: ' + $multi.InfoHash)
            $text | Should -Match 'Length\s+: 39\.1 KiB'
            $text | Should -Match 'PieceLength\s+: 16\.0 KiB'
            $text | Should -Match 'PieceCount\s+: 3'
            $text | Should -Match 'IsPrivate\s+: True'
        }

        It 'shows the files as a table with human-readable lengths' {
            $text = (Get-TorrentInfo -LiteralPath $multi.Path).Files | Out-String
            $text | Should -Match 'Path\s+Length\s+Offset'
            $text | Should -Match 'cd1/track1\.flac\s+39\.1 KiB\s+0'
            $text | Should -Match 'cover\.jpg\s+10 B\s+40000'
        }

        It 'shows torrents as a table by default' {
            $text = Get-TorrentInfo -LiteralPath $single.Path | Out-String
            $text | Should -Match ('hello\.txt\s+15 B\s+1 ' + $single.InfoHash)
        }
    }
}
