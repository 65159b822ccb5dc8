# Export-Torrent: TorrentInfo objects written back as .torrent files (no network).
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')

    $script:Source = New-TestTorrent -Path (Join-Path $TestDrive 'source.torrent') -Name 'export.bin' -Content ([byte[]](1..200)) -PieceLength 64 -Comment 'for Export-Torrent'
    $script:Info = Get-TorrentInfo -LiteralPath $Source.Path
}

Describe 'Export-Torrent' {
    It 'writes a .torrent with the same info dictionary bytes, info hash and trackers' {
        $path = Join-Path $TestDrive 'same.torrent'

        $out = $Info | Export-Torrent -Path $path

        $out | Should -BeNullOrEmpty
        $written = Get-TorrentInfo -LiteralPath $path
        $written.InfoHash | Should -Be $Info.InfoHash
        [Convert]::ToHexString($written.GetRawInfo().ToArray()) | Should -Be ([Convert]::ToHexString($Info.GetRawInfo().ToArray()))
        $written.Announce | Should -Be 'http://127.0.0.1:6969/announce'
        $written.Comment | Should -Be 'for Export-Torrent'
        $written.CreationDate | Should -Be $Info.CreationDate
    }

    It 'writes a torrent built from a magnet link with the link''s trackers as announce and announce-list' {
        $path = Join-Path $TestDrive 'magnet.torrent'
        $fetched = [TorrentPS.Engine.Metainfo.TorrentInfo]::FromInfoDictionary($Info.GetRawInfo(), [string[][]]@(, @('udp://127.0.0.2:6969/announce'), @('http://127.0.0.3:6969/announce')))

        $fetched | Export-Torrent $path

        $metainfo = ConvertFrom-Bencode -Path $path
        $metainfo.announce | Should -Be 'udp://127.0.0.2:6969/announce'
        $metainfo.'announce-list' | Should -HaveCount 2
        (Get-TorrentInfo -LiteralPath $path).InfoHash | Should -Be $Info.InfoHash
    }

    It 'writes <Name>.torrent into a folder given as -Path, and -PassThru writes its FileInfo' {
        $folder = Join-Path $TestDrive 'folder'
        New-Item -ItemType Directory -Path $folder | Out-Null

        $out = Export-Torrent -Torrent $Info -Path $folder -PassThru

        $out | Should -BeOfType ([System.IO.FileInfo])
        $out.FullName | Should -Be (Join-Path $folder 'export.bin.torrent')
        (Get-TorrentInfo -LiteralPath $out.FullName).InfoHash | Should -Be $Info.InfoHash
    }

    It 'leaves a file that is there alone (FileExists) unless -Force' {
        $path = Join-Path $TestDrive 'there.torrent'
        Set-Content -LiteralPath $path -Value 'precious'
        $err = $null

        $Info | Export-Torrent -Path $path -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FileExists*'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $err[0].ErrorDetails.RecommendedAction | Should -BeLike '*-Force*'
        Get-Content -LiteralPath $path | Should -Be 'precious'

        $Info | Export-Torrent -Path $path -Force
        (Get-TorrentInfo -LiteralPath $path).InfoHash | Should -Be $Info.InfoHash
    }

    It 'writes nothing with -WhatIf' {
        $path = Join-Path $TestDrive 'whatif.torrent'
        $Info | Export-Torrent -Path $path -WhatIf
        Test-Path -LiteralPath $path | Should -BeFalse
    }

    It 'takes a wildcard that names one file, and a new name with wildcard characters' {
        $target = Join-Path $TestDrive 'wild-1.torrent'
        Set-Content -LiteralPath $target -Value 'old'
        $Info | Export-Torrent -Path (Join-Path $TestDrive 'wild-?.torrent') -Force
        (Get-TorrentInfo -LiteralPath $target).InfoHash | Should -Be $Info.InfoHash

        $Info | Export-Torrent -Path (Join-Path $TestDrive 'new[1].torrent')
        Test-Path -LiteralPath (Join-Path $TestDrive 'new[1].torrent') | Should -BeTrue
    }

    It 'refuses a wildcard that matches several files with AmbiguousPath' {
        Set-Content -LiteralPath (Join-Path $TestDrive 'many-1.torrent'), (Join-Path $TestDrive 'many-2.torrent') -Value 'x'
        { $Info | Export-Torrent -Path (Join-Path $TestDrive 'many-*.torrent') -Force -ErrorAction Stop } | Should -Throw -ErrorId 'AmbiguousPath,*'
    }
}
