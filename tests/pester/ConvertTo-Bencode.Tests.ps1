BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')
}

Describe 'ConvertTo-Bencode' {
    Context 'values' {
        It 'encodes a hashtable with its keys sorted' {
            @{ spam = 'eggs'; count = 3; list = @('a', 'b') } | ConvertTo-Bencode | Should -BeExactly 'd5:counti3e4:listl1:a1:be4:spam4:eggse'
        }

        It 'encodes an ordered hashtable with its keys sorted' {
            ConvertTo-Bencode ([ordered]@{ z = 1; a = 2 }) | Should -BeExactly 'd1:ai2e1:zi1ee'
        }

        It 'encodes a PSCustomObject from its properties' {
            [pscustomobject]@{ name = 'x'; length = 5 } | ConvertTo-Bencode | Should -BeExactly 'd6:lengthi5e4:name1:xe'
        }

        It 'encodes nested custom objects, hashtables and arrays' {
            $value = @{ outer = [pscustomobject]@{ inner = @(1, @{ k = 'v' }) } }
            ConvertTo-Bencode -InputObject $value | Should -BeExactly 'd5:outerd5:innerli1ed1:k1:veeee'
        }

        It 'encodes every integral type' {
            ConvertTo-Bencode -InputObject @([byte]1, [int16]-2, [int]3, [long]4, [uint64]5, [bigint]6, [sbyte]-7) | Should -BeExactly 'li1ei-2ei3ei4ei5ei6ei-7ee'
        }

        It 'encodes strings as UTF-8 byte strings' {
            ConvertTo-Bencode 'héllo' | Should -BeExactly '6:héllo'
            ConvertTo-Bencode '' | Should -BeExactly '0:'
        }

        It 'encodes an array given to -InputObject as one list' {
            ConvertTo-Bencode -InputObject @(1, 2) | Should -BeExactly 'li1ei2ee'
            ConvertTo-Bencode -InputObject @() | Should -BeExactly 'le'
        }

        It 'encodes each object from the pipeline on its own' {
            @{ a = 1 }, @{ b = 2 } | ConvertTo-Bencode | Should -Be @('d1:ai1ee', 'd1:bi2ee')
        }

        It 'writes one byte array with -AsByteArray' {
            $bytes = ConvertTo-Bencode -InputObject ([byte[]](0xff, 0x00)) -AsByteArray
            $bytes -is [byte[]] | Should -BeTrue
            $bytes | Should -Be @(0x32, 0x3a, 0xff, 0x00)
        }

        It 'round-trips a torrent byte for byte' {
            $t = New-TestTorrent -Path (Join-Path $TestDrive 'round.torrent')
            $original = [System.IO.File]::ReadAllBytes($t.Path)
            $again = ConvertFrom-Bencode -InputObject $original | ConvertTo-Bencode -AsByteArray
            [System.Linq.Enumerable]::SequenceEqual($original, $again) | Should -BeTrue
        }
    }

    Context 'errors' {
        It 'refuses <Case> with UnsupportedBencodeValue' -TestCases @(
            @{ Case = 'a float'; Value = @{ ratio = 1.5 } }
            @{ Case = 'a bool'; Value = @{ ok = $true } }
            @{ Case = 'a null value'; Value = @{ nothing = $null } }
            @{ Case = 'a non-string key'; Value = @{ 1 = 'one' } }
            @{ Case = 'a date'; Value = @{ when = [datetime]::UnixEpoch } }
            @{ Case = 'a decimal'; Value = @(1, 2.5d) }
        ) {
            $err = $null
            ConvertTo-Bencode -InputObject $Value -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'UnsupportedBencodeValue*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

        It 'refuses $null itself' {
            $err = $null
            ConvertTo-Bencode -InputObject $null -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'UnsupportedBencodeValue*'
        }

        It 'says where the value sits' {
            $err = $null
            ConvertTo-Bencode @{ info = @{ length = 1.5 } } -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].Exception.ValuePath | Should -Be '$.info.length'
        }

        It 'refuses a cyclic object graph' {
            $cycle = @{}
            $cycle.self = $cycle
            $err = $null
            ConvertTo-Bencode $cycle -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'UnsupportedBencodeValue*'
        }

        It 'refuses binary bencode as a string with BencodeNotText' {
            $err = $null
            ConvertTo-Bencode -InputObject ([byte[]](0xff)) -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'BencodeNotText*'
        }

        It 'goes on with the next pipeline object after a bad one' {
            $err = $null
            $out = @{ a = 1 }, @{ b = 0.5 }, @{ c = 3 } | ConvertTo-Bencode -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -Be @('d1:ai1ee', 'd1:ci3ee')
            $err | Should -HaveCount 1
        }
    }
}
