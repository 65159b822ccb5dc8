BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')
}

Describe 'ConvertFrom-MagnetLink' {
    BeforeAll {
        $script:torrent = New-TestTorrent -Path (Join-Path $TestDrive 'hello.torrent')
        $script:hash = $torrent.InfoHash
        $script:link = "magnet:?xt=urn:btih:$hash&dn=hello.txt&xl=15&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce&tr=udp%3A%2F%2F127.0.0.2%3A6969&x.pe=127.0.0.3%3A51413"
    }

    It 'parses a magnet link into a MagnetLink' {
        $m = ConvertFrom-MagnetLink $link
        $m | Should -BeOfType ([TorrentPS.Engine.Metainfo.MagnetLink])
        $m.InfoHash | Should -Be $hash
        $m.DisplayName | Should -Be 'hello.txt'
        $m.ExactLength | Should -Be 15
        $m.Trackers | Should -Be @('http://127.0.0.1:6969/announce', 'udp://127.0.0.2:6969')
        $m.PeerAddresses | Should -Be @('127.0.0.3:51413')
    }

    It 'reads a base32 info hash' {
        $bytes = [System.Convert]::FromHexString($hash)
        $alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
        $bits = -join ($bytes | ForEach-Object { [System.Convert]::ToString($_, 2).PadLeft(8, '0') })
        $base32 = -join (0..31 | ForEach-Object { $alphabet[[System.Convert]::ToInt32($bits.Substring($_ * 5, 5), 2)] })
        (ConvertFrom-MagnetLink "magnet:?xt=urn:btih:$base32").InfoHash | Should -Be $hash
    }

    It 'takes links from the pipeline and by property name' {
        $link, $link | ConvertFrom-MagnetLink | Should -HaveCount 2
        ([pscustomobject]@{ Uri = $link } | ConvertFrom-MagnetLink).DisplayName | Should -Be 'hello.txt'
    }

    It 'reports <Case> as InvalidMagnetLink and goes on' -TestCases @(
        @{ Case = 'a web address'; Bad = 'http://127.0.0.1/file.torrent' }
        @{ Case = 'a link without xt'; Bad = 'magnet:?dn=nothing' }
        @{ Case = 'a malformed hash'; Bad = 'magnet:?xt=urn:btih:1234' }
        @{ Case = 'an empty string'; Bad = '' }
    ) {
        $err = $null
        $out = $link, $Bad, $link | ConvertFrom-MagnetLink -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -HaveCount 2
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidMagnetLink*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'shows a MagnetLink as a list with a human-readable length' {
        $text = ConvertFrom-MagnetLink $link | Out-String
        $text | Should -Match ('InfoHash\s+: ' + $hash)
        $text | Should -Match 'DisplayName\s+: hello\.txt'
        $text | Should -Match 'ExactLength\s+: 15 B'
    }
}

Describe 'ConvertTo-MagnetLink' {
    BeforeAll {
        $script:torrent = New-TestTorrent -Path (Join-Path $TestDrive 'hello.torrent')
        $script:hash = $torrent.InfoHash
        $script:link = "magnet:?xt=urn:btih:$hash&dn=hello.txt&xl=15&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce&tr=udp%3A%2F%2F127.0.0.2%3A6969&x.pe=127.0.0.3%3A51413"
    }

    It 'makes the magnet link of a torrent from the pipeline' {
        $text = Get-TorrentInfo -LiteralPath $torrent.Path | ConvertTo-MagnetLink
        $text | Should -BeOfType ([string])
        $text | Should -BeExactly "magnet:?xt=urn:btih:$hash&dn=hello.txt&xl=15&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce"
    }

    It 'writes a MagnetLink with -AsObject' {
        $m = Get-TorrentInfo -LiteralPath $torrent.Path | ConvertTo-MagnetLink -AsObject
        $m | Should -BeOfType ([TorrentPS.Engine.Metainfo.MagnetLink])
        $m.Trackers | Should -Be @('http://127.0.0.1:6969/announce')
    }

    It 'round-trips through ConvertFrom-MagnetLink' {
        $info = Get-TorrentInfo -LiteralPath $torrent.Path
        $back = $info | ConvertTo-MagnetLink | ConvertFrom-MagnetLink
        $back.InfoHash -eq $info.InfoHash | Should -BeTrue
        $back.ExactLength | Should -Be $info.Length
    }

    It 'makes one link per torrent from Get-ChildItem' {
        $folder = Join-Path $TestDrive 'many'
        New-Item -ItemType Directory -Path $folder | Out-Null
        $null = New-TestTorrent -Path (Join-Path $folder 'a.torrent') -Name 'a.txt'
        $null = New-TestTorrent -Path (Join-Path $folder 'b.torrent') -Name 'b.txt'
        $links = Get-ChildItem -LiteralPath $folder -Filter *.torrent | Get-TorrentInfo | ConvertTo-MagnetLink
        $links | Should -HaveCount 2
        $links | ForEach-Object { $_ | Should -BeLike 'magnet:?xt=urn:btih:*' }
    }

    It 'takes text as a path, as the other torrent cmdlets do, and reports one that is not there as PathNotFound' {
        { 'not a torrent' | ConvertTo-MagnetLink -ErrorAction Stop } | Should -Throw -ErrorId 'PathNotFound*'
    }
}
