BeforeDiscovery {
    $script:NoOpenTracker = $IsWindows -or -not (Get-Command opentracker -ErrorAction SilentlyContinue)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TrackerTestHelpers.ps1')
}

Describe 'Get-TorrentPeer' {
    Context 'Command shape' {
        It 'has the Path, Torrent, LiteralPath and MagnetLink parameter sets, Path by default' {
            $command = Get-Command Get-TorrentPeer
            $command.ParameterSets.Name | Sort-Object | Should -Be @('LiteralPath', 'MagnetLink', 'Path', 'Torrent')
            $command.DefaultParameterSet | Should -Be 'Path'
        }

        It 'declares TorrentPeer as its output' {
            (Get-Command Get-TorrentPeer).OutputType.Name | Should -Contain 'TorrentPS.Engine.Peers.TorrentPeer'
        }
    }

    Context 'Trackers that fail' {
        BeforeAll {
            $script:hash = New-TestInfoHash
        }

        It 'writes TrackerTimeout naming a silent UDP tracker and still emits the magnet link peers' {
            # A port that is open but never answers (a closed one is refused at once: TrackerFailed).
            $silent = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([ipaddress]::Loopback, 0))
            $url = "udp://127.0.0.1:$($silent.Client.LocalEndPoint.Port)/announce"
            $link = "magnet:?xt=urn:btih:$hash&tr=$([uri]::EscapeDataString($url))&x.pe=192.0.2.1:6889"
            $err = $null
            try {
                $peers = @(Get-TorrentPeer -MagnetLink $link -TimeoutSec 1 -ErrorVariable err -ErrorAction SilentlyContinue)
            }
            finally {
                $silent.Dispose()
            }

            $peers.Count | Should -Be 1
            $peers[0] | Should -BeOfType ([TorrentPS.Engine.Peers.TorrentPeer])
            $peers[0].EndPointText | Should -Be '192.0.2.1:6889'
            $peers[0].Source | Should -Be 'Magnet'
            $peers[0].InfoHash | Should -Be $hash
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'TrackerTimeout,*'
            $err[0].TargetObject | Should -Be $url
            $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        }

        It 'writes TrackerFailed, connection refused, for a UDP tracker on a closed port without waiting out the timeout' {
            $link = "magnet:?xt=urn:btih:$hash&tr=udp%3A%2F%2F127.0.0.1%3A1%2Fannounce"
            $err = $null
            $elapsed = Measure-Command { Get-TorrentPeer -MagnetLink $link -TimeoutSec 20 -ErrorVariable err -ErrorAction SilentlyContinue }

            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'TrackerFailed,*'
            $err[0].Exception.Message | Should -BeLike '*connection refused*'
            $elapsed.TotalSeconds | Should -BeLessThan 10
        }

        It 'writes TrackerFailed for an HTTP tracker that refuses the connection' {
            $err = $null
            $peers = @(Get-TorrentPeer -MagnetLink "magnet:?xt=urn:btih:$hash" -Tracker 'http://127.0.0.1:1/announce' -TimeoutSec 2 -ErrorVariable err -ErrorAction SilentlyContinue)

            $peers.Count | Should -Be 0
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'TrackerFailed,*'
            $err[0].Exception.Message | Should -BeLike "*http://127.0.0.1:1/announce*"
        }

        It 'writes UnsupportedTracker for a scheme it does not speak' {
            $err = $null
            Get-TorrentPeer -MagnetLink "magnet:?xt=urn:btih:$hash" -Tracker 'wss://127.0.0.1:1/announce' -TimeoutSec 1 -ErrorVariable err -ErrorAction SilentlyContinue

            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'UnsupportedTracker,*'
        }

        It 'writes InvalidMagnetLink for a link without an info hash and goes on with the next one' {
            $err = $null
            $peers = @('magnet:?dn=nothing', "magnet:?xt=urn:btih:$hash&x.pe=192.0.2.2:2" | Get-TorrentPeer -TimeoutSec 1 -ErrorVariable err -ErrorAction SilentlyContinue)

            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidMagnetLink,*'
            $peers.EndPointText | Should -Be '192.0.2.2:2'
        }

        It 'writes PathNotFound for a missing torrent file' {
            $err = $null
            Get-TorrentPeer -LiteralPath (Join-Path $TestDrive 'missing.torrent') -TimeoutSec 1 -ErrorVariable err -ErrorAction SilentlyContinue

            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
        }

        It 'writes PathNotFound for a path on a drive that does not exist and goes on with the next input' {
            $err = $null
            $peers = @(Get-TorrentPeer -Path 'NoSuchDrive:/x.torrent', "magnet:?xt=urn:btih:$hash&x.pe=192.0.2.3:3" -TimeoutSec 1 -ErrorVariable err -ErrorAction SilentlyContinue)

            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
            $err[0].TargetObject | Should -Be 'NoSuchDrive:/x.torrent'
            $peers.EndPointText | Should -Be '192.0.2.3:3'
        }

        It 'writes PathIsDirectory for a folder, as Get-TorrentInfo does' {
            $err = $null
            Get-TorrentPeer -LiteralPath $TestDrive -TimeoutSec 1 -ErrorVariable err -ErrorAction SilentlyContinue

            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PathIsDirectory,*'
        }

        It 'rejects a timeout out of range' {
            { Get-TorrentPeer -MagnetLink "magnet:?xt=urn:btih:$hash" -TimeoutSec 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        }
    }

    Context 'Against a real opentracker' -Skip:$NoOpenTracker {
        BeforeAll {
            $script:trackerAddress = Get-TestLoopbackAddress
            $script:trackerPort = Get-TestFreePort $trackerAddress
            $script:torrent = New-TestTrackerTorrentBytes -AnnounceUrl "udp://${trackerAddress}:$trackerPort/announce"
            $script:torrentPath = Join-Path $TestDrive 'udp-only.torrent'
            [System.IO.File]::WriteAllBytes($torrentPath, $torrent.Bytes)
            $script:magnetHash = New-TestInfoHash
            $script:tracker = Start-TestOpenTracker -InfoHash $torrent.InfoHash, $magnetHash -Address $trackerAddress -Port $trackerPort
            $script:seederAddress = Get-TestLoopbackAddress
            Send-TestUdpAnnounce -Tracker $tracker -InfoHash $torrent.InfoHash -FromAddress $seederAddress -PeerPort 51413
            Send-TestUdpAnnounce -Tracker $tracker -InfoHash $magnetHash -FromAddress $seederAddress -PeerPort 51414
        }

        AfterAll {
            Stop-TestOpenTracker $tracker
        }

        It 'lists the peers of a udp-only torrent piped from Get-TorrentInfo' {
            $peers = @(Get-TorrentInfo $torrentPath | Get-TorrentPeer -TimeoutSec 5)

            $peers.Count | Should -Be 1
            $peers[0].EndPointText | Should -Be "${seederAddress}:51413"
            $peers[0].Source | Should -Be 'Tracker'
            $peers[0].Tracker | Should -Be $tracker.UdpUrl
            $peers[0].InfoHash | Should -Be $torrent.InfoHash
        }

        It 'takes the torrent by path' {
            (Get-TorrentPeer -Path $torrentPath -TimeoutSec 5).EndPointText | Should -Be "${seederAddress}:51413"
        }

        It 'takes a torrent path piped as text' {
            ($torrentPath | Get-TorrentPeer -TimeoutSec 5).EndPointText | Should -Be "${seederAddress}:51413"
        }

        It 'asks the trackers of a magnet link over UDP and HTTP' -TestCases @(
            @{ Scheme = 'udp' }
            @{ Scheme = 'http' }
        ) {
            param($Scheme)
            $url = if ($Scheme -eq 'udp') { $tracker.UdpUrl } else { $tracker.HttpUrl }
            $link = "magnet:?xt=urn:btih:$magnetHash&tr=$([uri]::EscapeDataString($url))"

            $peers = @(Get-TorrentPeer -MagnetLink $link -TimeoutSec 5)

            $peers.EndPointText | Should -Be "${seederAddress}:51414"
            $peers[0].Tracker | Should -Be $url
        }

        It 'binds a MagnetLink object from the pipeline by its Uri' {
            $magnet = [TorrentPS.Engine.Metainfo.MagnetLink]::Parse("magnet:?xt=urn:btih:$magnetHash&tr=$([uri]::EscapeDataString($tracker.UdpUrl))")

            ($magnet | Get-TorrentPeer -TimeoutSec 5).EndPointText | Should -Be "${seederAddress}:51414"
        }

        It 'leaves no phantom peer: a peer announcing afterwards is not given ours, and no leecher is counted' {
            # A tracker and torrent of its own, so the peer announcing here changes no other test's swarm.
            $hash = New-TestInfoHash
            $own = Start-TestOpenTracker -InfoHash $hash
            try {
                $stayer = Get-TestLoopbackAddress
                Send-TestUdpAnnounce -Tracker $own -InfoHash $hash -FromAddress $stayer -PeerPort 51416
                $link = "magnet:?xt=urn:btih:$hash&tr=$([uri]::EscapeDataString($own.UdpUrl))&tr=$([uri]::EscapeDataString($own.HttpUrl))"

                (Get-TorrentPeer -MagnetLink $link -TimeoutSec 5).EndPointText | Sort-Object -Unique | Should -Be "${stayer}:51416"

                # Get-TorrentPeer asked from 127.0.0.1 (every other peer here has an address of its own).
                $listed = @(Send-TestUdpAnnounce -Tracker $own -InfoHash $hash -FromAddress (Get-TestLoopbackAddress) -PeerPort 51417 -PassThru)
                $listed | Should -Contain "${stayer}:51416"
                @($listed | Where-Object { $_ -like '127.0.0.1:*' }) | Should -BeNullOrEmpty
                (Get-TorrentTracker -MagnetLink $link -TimeoutSec 5).Leechers | Should -Be @(0, 0)
            }
            finally {
                Stop-TestOpenTracker $own
            }
        }

        It 'uses only the trackers given with -Tracker' {
            $err = $null
            $peers = @(Get-TorrentPeer -Path $torrentPath -Tracker $tracker.HttpUrl -TimeoutSec 5 -ErrorVariable err -ErrorAction SilentlyContinue)

            $err.Count | Should -Be 0
            $peers.Tracker | Should -Be $tracker.HttpUrl
        }
    }
}
