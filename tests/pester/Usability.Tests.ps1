# What a new user ran into (issue 21): pipelines that should just work, answers that say what happened, text and
# objects that read well. Transfers run against a real python3-libtorrent seeder on 127.0.0.0/8.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')
    . (Join-Path $PSScriptRoot 'LibtorrentTestHelpers.ps1')
    $script:LibtorrentMissing = Get-TestLibtorrentMissing

    # A 200 KiB single-file torrent in 32 KiB pieces that no tracker serves (127.0.0.1:1): peers come with -Peer or x.pe.
    $script:SeedData = Join-Path $TestDrive 'seed'
    New-Item -ItemType Directory -Path $SeedData | Out-Null
    $script:Bytes = New-TestContent -Length (200 * 1024 + 77) -Seed 21
    [System.IO.File]::WriteAllBytes((Join-Path $SeedData 'usable.bin'), $Bytes)
    $script:Torrent = New-TestTorrent -Path (Join-Path $TestDrive 'usable.torrent') -Name 'usable.bin' -Content $Bytes -PieceLength 32768 -Announce 'http://127.0.0.1:1/announce'
    if (-not $LibtorrentMissing) {
        $script:Seeder = Start-TestLibtorrentPeer -Torrent $Torrent.Path -SavePath $SeedData
    }

    function Get-TestPiece([int] $Index) {
        $offset = $Index * 32768
        [Convert]::ToHexString($Bytes, $offset, [math]::Min($Bytes.Length, $offset + 32768) - $offset)
    }

    function New-TestFolder([string] $Name) { New-Item -ItemType Directory -Path (Join-Path $TestDrive $Name) -Force | Select-Object -ExpandProperty FullName }
}

AfterAll {
    Stop-TestLibtorrentPeer $script:Seeder
}

Describe 'Giving torrents to the cmdlets' {
    It 'ConvertTo-MagnetLink takes a .torrent path, positionally or as -Path, as the other torrent cmdlets do' {
        $expected = Get-TorrentInfo -LiteralPath $Torrent.Path | ConvertTo-MagnetLink
        ConvertTo-MagnetLink $Torrent.Path | Should -Be $expected
        ConvertTo-MagnetLink -Path (Join-Path $TestDrive 'usable.tor*') | Should -Be $expected
        ConvertTo-MagnetLink -LiteralPath $Torrent.Path | Should -Be $expected
    }

    It 'Get-TorrentInfo finds a file whose name holds brackets when the wildcard matches nothing' {
        $odd = Join-Path $TestDrive 'br[1].torrent'
        [System.IO.File]::Copy($Torrent.Path, $odd)
        (Get-TorrentInfo (Join-Path $TestDrive 'br[1].torrent')).InfoHash | Should -Be $Torrent.InfoHash
    }

    It 'says to use -LiteralPath when a wildcard path matches nothing at all' {
        $err = $null
        Get-TorrentInfo (Join-Path $TestDrive 'none[9].torrent') -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
        $err[0].Exception.Message | Should -Match '-LiteralPath'
    }

    It 'Start-TorrentDownload downloads a magnet link given as -Path' {
        if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
        $destination = New-TestFolder 'magnet-as-path'
        $link = "magnet:?xt=urn:btih:$($Torrent.InfoHash)&dn=usable.bin&x.pe=$($Seeder.EndPoint.Text)"

        $result = Start-TorrentDownload $link -Destination $destination -TimeoutSec 30

        $result.State | Should -Be 'Completed'
        [Convert]::ToHexString([System.IO.File]::ReadAllBytes((Join-Path $destination 'usable.bin'))) | Should -Be ([Convert]::ToHexString($Bytes))
    }

    It 'a download result pipes on to Test-Torrent, also after Export-Clixml and Import-Clixml' {
        if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
        $destination = New-TestFolder 'then-test'

        $result = Start-TorrentDownload $Torrent.Path -Destination $destination -Peer $Seeder.EndPoint.Text -TimeoutSec 30
        $result.SourcePath | Should -Be $Torrent.Path
        $result.DataPath | Should -Be $destination

        $result | Test-Torrent | Should -BeTrue
        $saved = Join-Path $TestDrive 'result.xml'
        $result | Export-Clixml -LiteralPath $saved
        Import-Clixml -LiteralPath $saved | Test-Torrent | Should -BeTrue
    }

    It 'a download result pipes on to Start-TorrentSeed, which seeds what was downloaded' {
        if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
        $destination = New-TestFolder 'then-seed'

        $seed = Start-TorrentDownload $Torrent.Path -Destination $destination -Peer $Seeder.EndPoint.Text -TimeoutSec 30 |
            Start-TorrentSeed -SeedTimeMinutes 0.01

        $seed.State | Should -Be 'Completed'
        $seed.DataPath | Should -Be $destination
        $seed.VerifiedPieces | Should -Be $seed.PieceCount
    }

    It 'Save-TorrentPiece saves several pieces in one run, into a folder' {
        if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
        $folder = Join-Path $TestDrive 'pieces'

        $files = Save-TorrentPiece $Torrent.Path -Index 1, 2, 6 -Destination $folder -Peer $Seeder.EndPoint.Text

        $files.Name | Should -Be @('piece-1', 'piece-2', 'piece-6')
        foreach ($index in 1, 2, 6) {
            [Convert]::ToHexString([System.IO.File]::ReadAllBytes((Join-Path $folder "piece-$index"))) | Should -Be (Get-TestPiece $index)
        }
    }

    It 'Save-TorrentPiece takes indexes from the pipeline when the torrent is an argument' {
        if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
        $folder = Join-Path $TestDrive 'piped-pieces'

        $files = 0, 3 | Save-TorrentPiece $Torrent.Path -Destination $folder -Peer $Seeder.EndPoint.Text

        $files.Name | Should -Be @('piece-0', 'piece-3')
        [Convert]::ToHexString([System.IO.File]::ReadAllBytes((Join-Path $folder 'piece-3'))) | Should -Be (Get-TestPiece 3)
    }
}

Describe 'Answers that say what happened' {
    It 'Test-Torrent says the data path does not exist instead of answering False' {
        $err = $null
        $out = Test-Torrent $Torrent.Path -DataPath (Join-Path $TestDrive 'nope') -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DataPathNotFound,*'
        $err[0].Exception.Message | Should -Match 'does not exist'
    }

    It "Test-Torrent warns when -DataPath is the torrent's own top folder, and says what to pass" {
        $album = New-TestFolder 'data-album/album'
        [System.IO.File]::WriteAllBytes((Join-Path $album 'a.bin'), [byte[]](1..50))
        [System.IO.File]::WriteAllBytes((Join-Path $album 'b.bin'), [byte[]](51..90))
        $multi = New-TestTorrent -Path (Join-Path $TestDrive 'album.torrent') -Name 'album' -Files @(
            @{ Path = 'a.bin'; Content = [byte[]](1..50) }
            @{ Path = 'b.bin'; Content = [byte[]](51..90) }
        )

        $warnings = $null
        Test-Torrent $multi.Path -DataPath $album -WarningVariable warnings -WarningAction SilentlyContinue | Should -BeFalse
        $warnings | Should -HaveCount 1
        "$($warnings[0])" | Should -Match "looks like the torrent's own folder"
        "$($warnings[0])" | Should -Match ([regex]::Escape("pass '$(Split-Path $album)'"))
        Test-Torrent $multi.Path -DataPath (Split-Path $album) | Should -BeTrue
    }

    It 'Test-Torrent names each torrent when several get plain answers' {
        $other = New-TestTorrent -Path (Join-Path $TestDrive 'other.torrent') -Name 'other.bin'
        $warnings = $null
        $answers = $Torrent.Path, $other.Path | Test-Torrent -DataPath $SeedData -WarningVariable warnings -WarningAction SilentlyContinue
        $answers | Should -Be @($true, $false)
        $warnings | Should -HaveCount 1
        "$($warnings[0])" | Should -Match 'usable\.bin: complete, other\.bin: not complete'
    }

    It 'a destination that cannot be written is reported before any peer is asked' {
        $listener = [System.Net.Sockets.TcpListener]::new([ipaddress]'127.0.0.1', 0)
        $listener.Start()
        try {
            $file = Join-Path $TestDrive 'in-the-way'
            Set-Content -LiteralPath $file -Value 'a file where a folder must be'
            $err = $null

            Start-TorrentDownload $Torrent.Path -Destination (Join-Path $file 'downloads') -Peer "127.0.0.1:$($listener.LocalEndpoint.Port)" -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PathIsFile,*'
            $err[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
            $listener.Pending() | Should -BeFalse -Because 'no peer was dialled'
        }
        finally {
            $listener.Stop()
        }
    }

    It 'Export-Torrent -Path to a folder that does not exist makes it and writes <Name>.torrent there' -ForEach @(
        @{ Case = 'torrents' }
        @{ Case = 'slashed/' }
    ) {
        $info = Get-TorrentInfo -LiteralPath $Torrent.Path
        $path = Join-Path $TestDrive "export-$Case"

        $info | Export-Torrent -Path $path -WhatIf
        Test-Path -LiteralPath $path | Should -BeFalse

        $file = $info | Export-Torrent -Path $path -PassThru
        $file.FullName | Should -Be (Join-Path $path 'usable.bin.torrent')
        (Get-TorrentInfo -LiteralPath $file.FullName).InfoHash | Should -Be $Torrent.InfoHash
        Get-ChildItem -LiteralPath $path -Force | Select-Object -ExpandProperty Name | Should -Be 'usable.bin.torrent'
    }

    It 'Get-TorrentInfo -MagnetLink fails at once when the link names no tracker and no peer and the DHT has nowhere to look' {
        $err = $null
        $elapsed = Measure-Command {
            Get-TorrentInfo -MagnetLink "magnet:?xt=urn:btih:$('5' * 40)&dn=lonely" -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NowhereToAsk,*'
        $err[0].Exception.Message | Should -Match 'no tracker .* no peer .* the DHT (knows no node|runs no DHT|is turned off)'
        $elapsed.TotalSeconds | Should -BeLessThan 30
    }
}

Describe 'Text and objects' {
    It 'ConvertTo-Json writes states and peer sources as names' {
        $result = [TorrentPS.Engine.Session.DownloadResult]@{ Name = 'x'; InfoHash = [TorrentPS.Engine.Metainfo.InfoHash]::Parse('ab' * 20); Destination = '/x'; State = 'Completed' }
        ($result | ConvertTo-Json | ConvertFrom-Json).State | Should -Be 'Completed'
        $peer = [TorrentPS.Engine.Peers.TorrentPeer]::new([ipaddress]'127.0.0.2', 6881, [TorrentPS.Engine.Metainfo.InfoHash]::Parse('ab' * 20), 'Manual', $null)
        ($peer | ConvertTo-Json | ConvertFrom-Json).Source | Should -Be 'Manual'
    }

    It 'verbose text carries no internal category tags' {
        if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
        $destination = New-TestFolder 'verbose'
        $lines = @(Start-TorrentDownload $Torrent.Path -Destination $destination -Peer $Seeder.EndPoint.Text -TimeoutSec 30 -Verbose 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $lines | Should -Not -BeNullOrEmpty
        $lines | Where-Object { $_ -match '^\[\w+\] ' } | Should -BeNullOrEmpty
    }

    It "Invoke-PeerHandshake's default view shows a peer's escape codes escaped, the property keeps them" {
        $evil = "$([char]27)[2J$([char]27)[1;31m PWNED"
        $extension = ConvertTo-Bencode ([ordered]@{ m = [ordered]@{ ut_metadata = 1 }; v = $evil }) -AsByteArray
        $listener = [System.Net.Sockets.TcpListener]::new([ipaddress]'127.0.0.1', 0)
        $listener.Start()
        $job = Start-ThreadJob -ArgumentList $listener, $extension {
            param($listener, [byte[]] $extension)
            $client = $listener.AcceptTcpClient()
            $stream = $client.GetStream()
            $handshake = [byte[]]::new(68)
            $read = 0
            while ($read -lt 68) { $read += $stream.Read($handshake, $read, 68 - $read) }
            for ($i = 20; $i -lt 28; $i++) { $handshake[$i] = 0 }
            $handshake[25] = 0x10                                   # the extension protocol
            for ($i = 48; $i -lt 68; $i++) { $handshake[$i] = 0x41 }  # our peer id
            $stream.Write($handshake, 0, 68)
            $length = [System.Buffers.Binary.BinaryPrimitives]::ReverseEndianness([int]($extension.Length + 2))
            $stream.Write([BitConverter]::GetBytes($length), 0, 4)
            $stream.Write([byte[]](20, 0), 0, 2)
            $stream.Write($extension, 0, $extension.Length)
            $buffer = [byte[]]::new(4096)
            while ($stream.Read($buffer, 0, $buffer.Length) -gt 0) { }   # until the cmdlet hangs up
            $client.Dispose()
        }
        try {
            $handshake = Invoke-PeerHandshake -Address "127.0.0.1:$($listener.LocalEndpoint.Port)" -InfoHash ('cd' * 20) -TimeoutSec 10
            $handshake.ClientVersion | Should -BeExactly $evil

            $shown = $handshake | Out-String -Width 200
            $shown | Should -Not -Match ([char]27)
            $shown | Should -Match ([regex]::Escape('\x1b[2J\x1b[1;31m PWNED'))
            ($handshake | Format-List | Out-String -Width 200) | Should -Not -Match ([char]27)
            $handshake.ToString() | Should -Not -Match ([char]27)
        }
        finally {
            $job | Wait-Job -Timeout 10 | Out-Null
            $listener.Stop()
            $job | Remove-Job -Force
        }
    }
}
