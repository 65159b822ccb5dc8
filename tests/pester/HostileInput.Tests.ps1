BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')
}

Describe 'Hostile input through the cmdlets' {
    Context 'ConvertFrom-Bencode reads with a bound and says which file failed' {
        It 'fails on an endless device with InvalidBencode, larger than the limit, instead of exhausting memory' -Skip:(-not (Test-Path /dev/zero)) {
            $err = $null
            $out = ConvertFrom-Bencode -LiteralPath /dev/zero -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidBencode,*'
            $err[0].Exception.Message | Should -BeLike '*larger than the limit*'
        }

        It 'names the file in a decoding error' {
            $path = Join-Path $TestDrive 'broken.torrent'
            Set-Content -LiteralPath $path -Value 'd4:infoi01ee' -NoNewline
            $err = $null
            ConvertFrom-Bencode -LiteralPath $path -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidBencode,*'
            $err[0].Exception.Message | Should -BeLike "*broken.torrent*byte 8*"
        }

        It 'reports a directory piped in as PathIsDirectory, with its plain path' {
            $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'folder')
            $err = $null
            $folder | ConvertFrom-Bencode -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PathIsDirectory,*'
            $err[0].Exception.Message | Should -Not -BeLike '*::*'
        }
    }

    Context 'Get-TorrentInfo' {
        It 'shows PathIsDirectory with the file system path, not the provider-qualified one' {
            $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'dir.torrent')
            $err = $null
            $folder | Get-TorrentInfo -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PathIsDirectory*'
            $err[0].Exception.Message | Should -Not -BeLike '*FileSystem::*'
            $err[0].Exception.Message | Should -BeLike "*$($folder.FullName)*"
        }

        It 'escapes control characters in the error of a torrent whose name it quotes, and keeps one line' {
            $path = Join-Path $TestDrive "evil`e[2J.torrent"
            Set-Content -LiteralPath $path -Value 'x' -NoNewline
            try {
                $err = $null
                Get-TorrentInfo -LiteralPath $path -ErrorVariable err -ErrorAction SilentlyContinue
                $err[0].Exception.Message | Should -BeLike '*evil\x1b`[2J.torrent*'
                $err[0].Exception.Message | Should -Not -Match '[\x00-\x1f]'
            }
            finally {
                # Pester's own clean-up reads '[' as a wildcard.
                Remove-Item -LiteralPath $path
            }
        }
    }
}
