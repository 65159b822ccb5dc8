BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')
}

Describe 'ConvertFrom-Bencode' {
    BeforeAll {
        $script:torrent = New-TestTorrent -Path (Join-Path $TestDrive 'hello.torrent')
    }

    Context 'values' {
        It 'turns a dictionary into an ordered hashtable keeping the input order' {
            $d = ConvertFrom-Bencode 'd1:zi1e1:a3:abce'
            $d | Should -BeOfType ([System.Collections.Specialized.OrderedDictionary])
            @($d.Keys) | Should -Be @('z', 'a')
            $d.z | Should -Be 1
            $d.a | Should -Be 'abc'
        }

        It 'turns integers into [long]' {
            ConvertFrom-Bencode 'i-42e' | Should -BeOfType ([long])
            ConvertFrom-Bencode 'i9223372036854775807e' | Should -Be ([long]::MaxValue)
        }

        It 'turns UTF-8 byte strings into strings and other byte strings into byte arrays' {
            ConvertFrom-Bencode '6:héllo' | Should -Be 'héllo'
            $d = ConvertFrom-Bencode -Path $torrent.Path
            $d.info.pieces -is [byte[]] | Should -BeTrue
            $d.info.pieces.Length | Should -Be 20
        }

        It 'writes the items of a top-level list one by one' {
            $items = @(ConvertFrom-Bencode 'li1e1:xli2eee')
            $items | Should -HaveCount 3
            $items[0] | Should -Be 1
            $items[1] | Should -Be 'x'
            , $items[2] | Should -BeOfType ([object[]])
        }

        It 'writes a top-level list as one array with -NoEnumerate' {
            (ConvertFrom-Bencode 'li1ei2ee' -NoEnumerate | Measure-Object).Count | Should -Be 1
            (ConvertFrom-Bencode 'li1ei2ee' | Measure-Object).Count | Should -Be 2
        }

        It 'decodes a whole torrent' {
            $d = ConvertFrom-Bencode -LiteralPath $torrent.Path
            $d.announce | Should -Be 'http://127.0.0.1:6969/announce'
            $d.info.name | Should -Be 'hello.txt'
            $d.info.length | Should -Be 15
            $d.info.'piece length' | Should -Be 32768
        }
    }

    Context 'input' {
        It 'decodes a byte array given to -InputObject' {
            $bytes = [System.Text.Encoding]::ASCII.GetBytes('d3:keyi7ee')
            (ConvertFrom-Bencode -InputObject $bytes).key | Should -Be 7
        }

        It 'collects bytes unrolled by the pipeline and decodes them together' {
            $bytes = [System.IO.File]::ReadAllBytes($torrent.Path)
            $d = $bytes | ConvertFrom-Bencode
            $d | Should -HaveCount 1
            $d.info.name | Should -Be 'hello.txt'
        }

        It 'decodes a byte array sent whole down the pipeline' {
            $bytes = [System.IO.File]::ReadAllBytes($torrent.Path)
            (, $bytes | ConvertFrom-Bencode).info.name | Should -Be 'hello.txt'
        }

        It 'decodes the object array of bytes Get-Content -AsByteStream returns' {
            $bytes = Get-Content -LiteralPath $torrent.Path -AsByteStream
            (ConvertFrom-Bencode -InputObject $bytes).info.name | Should -Be 'hello.txt'
        }

        It 'decodes each string from the pipeline on its own' {
            'i1e', 'i2e' | ConvertFrom-Bencode | Should -Be @(1, 2)
        }

        It 'reads files piped from Get-ChildItem' {
            $d = Get-ChildItem -LiteralPath $TestDrive -Filter 'hello.torrent' | ConvertFrom-Bencode
            $d.info.name | Should -Be 'hello.txt'
        }

        It 'expands wildcards in -Path' {
            (ConvertFrom-Bencode -Path (Join-Path $TestDrive 'hel*.torrent')).info.name | Should -Be 'hello.txt'
        }
    }

    Context 'errors' {
        It 'reports malformed bencode as InvalidBencode with the offset' {
            $err = $null
            ConvertFrom-Bencode 'd3:key' -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidBencode*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $err[0].Exception.Offset | Should -Be 6
            $err[0].TargetObject | Should -Be 'd3:key'
        }

        It 'goes on with the next input after a bad one' {
            $err = $null
            $out = 'i1e', 'x', 'i2e' | ConvertFrom-Bencode -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -Be @(1, 2)
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidBencode*'
        }

        It 'refuses trailing data' {
            $err = $null
            ConvertFrom-Bencode 'i1ei2e' -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidBencode*'
        }

        It 'reports input that is neither text nor bytes as InvalidBencodeInput' {
            $err = $null
            ConvertFrom-Bencode -InputObject 42 -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidBencodeInput*'
        }

        It 'reports a missing file as PathNotFound' {
            $err = $null
            ConvertFrom-Bencode -LiteralPath (Join-Path $TestDrive 'none.torrent') -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound*'
        }
    }
}
