# Start-MagnetDownload and Get-TorrentInfo -MagnetLink against a real python3-libtorrent seeder on 127.0.0.0/8: the
# metadata comes from the seeder over ut_metadata (BEP 9), then the data.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')
    . (Join-Path $PSScriptRoot 'LibtorrentTestHelpers.ps1')
    $script:LibtorrentMissing = Get-TestLibtorrentMissing

    # A multi-file torrent whose metadata spans more than one 16 KiB ut_metadata piece (900 pieces: 18 KB of hashes).
    $script:SeedData = Join-Path $TestDrive 'seed'
    $script:Files = @(
        @{ Path = 'docs/read me.txt'; Content = (New-TestContent -Length 1000 -Seed 6) }
        @{ Path = 'data.bin'; Content = (New-TestContent -Length (900 * 16384 - 1000 - 17) -Seed 7) }
    )
    foreach ($file in $Files) {
        $path = Join-Path $SeedData 'magnetic' $file.Path
        New-Item -ItemType Directory -Path (Split-Path $path) -Force | Out-Null
        [System.IO.File]::WriteAllBytes($path, [byte[]]$file.Content)
    }
    $script:Torrent = New-TestTorrent -Path (Join-Path $TestDrive 'magnetic.torrent') -Name 'magnetic' -Files $Files -PieceLength 16384 -Announce 'http://127.0.0.1:1/announce'
    $script:Info = Get-TorrentInfo -LiteralPath $Torrent.Path
    if (-not $LibtorrentMissing) {
        $script:Seeder = Start-TestLibtorrentPeer -Torrent $Torrent.Path -SavePath $SeedData
        $script:Link = "magnet:?xt=urn:btih:$($Torrent.InfoHash)&dn=magnetic&tr=$([uri]::EscapeDataString('udp://127.0.0.1:1/announce'))&x.pe=$($Seeder.EndPoint.Text)"
    }

    function Get-TestHash([string] $Path) { (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash }
}

AfterAll {
    Stop-TestLibtorrentPeer $script:Seeder
}

Describe 'Get-TorrentInfo -MagnetLink' {
    It 'fetches only the metadata from the magnet link''s x.pe peer and writes the TorrentInfo' {
        if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }

        $fetched = Get-TorrentInfo -MagnetLink $Link

        $fetched | Should -BeOfType ([TorrentPS.Engine.Metainfo.TorrentInfo])
        $fetched.InfoHash | Should -Be $Info.InfoHash
        $fetched.Name | Should -Be 'magnetic'
        $fetched.PieceCount | Should -Be 900
        $fetched.Files.Path | Should -Be $Info.Files.Path
        $fetched.Trackers | Should -Be @('udp://127.0.0.1:1/announce')
        $fetched.GetRawInfo().Length | Should -BeGreaterThan 16384
        Test-Path -LiteralPath (Join-Path $PWD 'magnetic') | Should -BeFalse
    }

    It 'takes MagnetLink objects from the pipeline, magnet text as -Path, and -Peer' {
        if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
        $bare = "magnet:?xt=urn:btih:$($Torrent.InfoHash)"

        $piped = ConvertFrom-MagnetLink $Link | Get-TorrentInfo
        $positional = Get-TorrentInfo $bare -Peer $Seeder.EndPoint.Text

        $piped.InfoHash | Should -Be $Info.InfoHash
        $positional.InfoHash | Should -Be $Info.InfoHash
        $positional.Name | Should -Be 'magnetic'
    }

    It 'exports the fetched metadata as a .torrent with the same info hash and the link''s tracker' {
        if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
        $path = Join-Path $TestDrive 'fetched.torrent'

        Get-TorrentInfo -MagnetLink $Link | Export-Torrent -Path $path

        $exported = Get-TorrentInfo -LiteralPath $path
        $exported.InfoHash | Should -Be $Info.InfoHash
        $exported.Announce | Should -Be 'udp://127.0.0.1:1/announce'
        [Convert]::ToHexString($exported.GetRawInfo().ToArray()) | Should -Be ([Convert]::ToHexString($Info.GetRawInfo().ToArray()))
    }

    It 'gives up after -TimeoutSec when no peer has the metadata, with DownloadStalled' {
        $err = $null
        # A tracker nobody answers at: somewhere to ask (a link naming nobody fails at once with NowhereToAsk).
        $out = Get-TorrentInfo -MagnetLink "magnet:?xt=urn:btih:$(New-Guid | ForEach-Object { ($_.ToString('N') + '00000000').Substring(0, 40) })&tr=udp%3A%2F%2F127.0.0.1%3A1%2Fannounce" -TimeoutSec 1 -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DownloadStalled*'
    }

    It 'reports a link that is not a magnet link as InvalidMagnetLink' {
        $err = $null
        Get-TorrentInfo -MagnetLink 'magnet:?dn=no-hash' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidMagnetLink*'
    }
}

Describe 'Start-MagnetDownload' {
    Context 'From a libtorrent seeder' {
        It 'downloads a magnet link''s files byte for byte and writes one result' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl'

            $result = Start-MagnetDownload -MagnetLink $Link -Destination $destination -TimeoutSec 30

            $result | Should -BeOfType ([TorrentPS.Engine.Session.DownloadResult])
            $result.State | Should -Be 'Completed'
            $result.Name | Should -Be 'magnetic'
            $result.Length | Should -Be $Info.Length
            $result.Destination | Should -Be (Join-Path $destination 'magnetic')
            foreach ($file in $Files) {
                Get-TestHash (Join-Path $destination 'magnetic' $file.Path) | Should -Be (Get-TestHash (Join-Path $SeedData 'magnetic' $file.Path))
            }
        }

        It 'takes a MagnetLink object from ConvertFrom-MagnetLink, and the second run into a folder needs no peer' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-piped'
            $bare = "magnet:?xt=urn:btih:$($Torrent.InfoHash)"
            $null = ConvertFrom-MagnetLink $bare | Start-MagnetDownload -Destination $destination -Peer $Seeder.EndPoint.Text -TimeoutSec 30

            # No peer at all now: the metadata comes from the first run's resume data, the data is all there.
            $again = ConvertFrom-MagnetLink $bare | Start-MagnetDownload -Destination $destination -TimeoutSec 5

            $again.State | Should -Be 'Completed'
            $again.Name | Should -Be 'magnetic'
            $again.Downloaded | Should -Be 0
        }

        It 'first writes "Fetching metadata from N peers", then the download, in one activity' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-progress'
            $command = Start-TestRunspaceCommand "Start-MagnetDownload -MagnetLink '$Link' -Destination '$destination' -TimeoutSec 30"
            $null = Wait-TestRunspaceCommand $command
            $records = @($command.PowerShell.Streams.Progress | Where-Object ParentActivityId -EQ -1)
            $command.PowerShell.Dispose()

            @($records.ActivityId | Sort-Object -Unique) | Should -HaveCount 1
            $records[0].Activity | Should -Be 'Downloading magnetic'
            $records[0].StatusDescription | Should -Match '^Fetching metadata from \d+ peers?$'
            $records[-1].RecordType | Should -Be 'Completed'
            $records[-1].StatusDescription | Should -BeLike 'Completed: 14.1 MiB downloaded in *'
        }
    }

    Context 'Bad input' {
        It 'reports a link that is not a magnet link as InvalidMagnetLink and goes on with the next' {
            $err = $null
            $out = 'http://127.0.0.1/file.torrent', 'magnet:?xt=urn:btih:1234' | Start-MagnetDownload -Destination (Join-Path $TestDrive 'bad') -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 2
            $err.FullyQualifiedErrorId | ForEach-Object { $_ | Should -BeLike 'InvalidMagnetLink*' }
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

        It 'downloads nothing with -WhatIf' {
            $destination = Join-Path $TestDrive 'whatif'
            Start-MagnetDownload -MagnetLink "magnet:?xt=urn:btih:$($Torrent.InfoHash)" -Destination $destination -WhatIf | Should -BeNullOrEmpty
            Test-Path -LiteralPath $destination | Should -BeFalse
        }
    }
}
