# Save-TorrentPiece against a real python3-libtorrent seeder on 127.0.0.0/8.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')
    . (Join-Path $PSScriptRoot 'LibtorrentTestHelpers.ps1')
    $script:LibtorrentMissing = Get-TestLibtorrentMissing

    # 5 pieces of 64 KiB and a last one of 1000 bytes.
    $script:SeedData = Join-Path $TestDrive 'seed'
    New-Item -ItemType Directory -Path $SeedData | Out-Null
    $script:Bytes = New-TestContent -Length (5 * 65536 + 1000) -Seed 5
    [System.IO.File]::WriteAllBytes((Join-Path $SeedData 'pieces.bin'), $Bytes)
    $script:Torrent = New-TestTorrent -Path (Join-Path $TestDrive 'pieces.torrent') -Name 'pieces.bin' -Content $Bytes -PieceLength 65536 -Announce 'http://127.0.0.1:1/announce'
    if (-not $LibtorrentMissing) {
        $script:Seeder = Start-TestLibtorrentPeer -Torrent $Torrent.Path -SavePath $SeedData
    }

    # The hex of piece $Index of the content (compared as one string: Should -Be over 64 Ki array items is slow).
    function Get-TestPiece([int] $Index) {
        $offset = $Index * 65536
        [Convert]::ToHexString($Bytes, $offset, [math]::Min($Bytes.Length, $offset + 65536) - $offset)
    }

    function Get-TestFileHex([string] $Path) { [Convert]::ToHexString([System.IO.File]::ReadAllBytes($Path)) }
}

AfterAll {
    Stop-TestLibtorrentPeer $script:Seeder
}

Describe 'Save-TorrentPiece' {
    Context 'From a libtorrent seeder' {
        It 'writes the bytes of one piece, verified, and the FileInfo of the file' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $file = Join-Path $TestDrive 'piece2.bin'

            $out = Save-TorrentPiece -Path $Torrent.Path -Index 2 -Destination $file -Peer $Seeder.EndPoint.Text -TimeoutSec 30

            $out | Should -BeOfType ([System.IO.FileInfo])
            $out.FullName | Should -Be $file
            $out.Length | Should -Be 65536
            Get-TestFileHex $file | Should -Be (Get-TestPiece 2)
        }

        It 'writes the short last piece, with the torrent piped and the positions of -Index and -Destination' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $file = Join-Path $TestDrive 'last.bin'

            $null = Get-TorrentInfo -LiteralPath $Torrent.Path | Save-TorrentPiece -Index 5 -Destination $file -Peer $Seeder.EndPoint.Text -TimeoutSec 30

            Get-TestFileHex $file | Should -Be (Get-TestPiece 5)
        }

        It 'writes a piece into a -Destination that is a folder as piece-<index>' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $folder = Join-Path $TestDrive 'into-folder'
            New-Item -ItemType Directory -Path $folder | Out-Null

            $out = Save-TorrentPiece -Path $Torrent.Path -Index 4 -Destination $folder -Peer $Seeder.EndPoint.Text

            $out.FullName | Should -Be (Join-Path $folder 'piece-4')
            Get-TestFileHex $out.FullName | Should -Be (Get-TestPiece 4)
        }

        It 'replaces a file that is there' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $file = Join-Path $TestDrive 'replaced.bin'
            Set-Content -LiteralPath $file -Value 'old content'

            $null = Save-TorrentPiece $Torrent.Path 0 $file -Peer $Seeder.EndPoint.Text -TimeoutSec 30

            Get-TestFileHex $file | Should -Be (Get-TestPiece 0)
        }
    }

    Context 'Bad input' {
        It 'reports an -Index past the last piece as PieceIndexOutOfRange and writes nothing' {
            $file = Join-Path $TestDrive 'none.bin'
            $err = $null

            $out = Save-TorrentPiece -Path $Torrent.Path -Index 6 -Destination $file -ErrorVariable err -ErrorAction SilentlyContinue

            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PieceIndexOutOfRange*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].Exception.Message | Should -Be "'pieces.bin' has pieces 0 to 5; there is no piece 6."
            Test-Path -LiteralPath $file | Should -BeFalse
        }

        It 'rejects a negative -Index' {
            { Save-TorrentPiece -Path $Torrent.Path -Index -1 -Destination (Join-Path $TestDrive 'x.bin') } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        }


        It 'writes nothing with -WhatIf' {
            $file = Join-Path $TestDrive 'whatif.bin'
            Save-TorrentPiece -Path $Torrent.Path -Index 0 -Destination $file -WhatIf | Should -BeNullOrEmpty
            Test-Path -LiteralPath $file | Should -BeFalse
        }
    }
}
