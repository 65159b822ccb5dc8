BeforeDiscovery {
    $script:NoOpenTracker = $IsWindows -or -not (Get-Command opentracker -ErrorAction SilentlyContinue)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TrackerTestHelpers.ps1')
}

Describe 'Get-TorrentTracker' {
    Context 'Command shape' {
        It 'has the same parameter sets as Get-TorrentPeer' {
            (Get-Command Get-TorrentTracker).ParameterSets.Name | Sort-Object | Should -Be @('LiteralPath', 'MagnetLink', 'Path', 'Torrent')
        }

        It 'declares TrackerStatus as its output' {
            (Get-Command Get-TorrentTracker).OutputType.Name | Should -Contain 'TorrentPS.Engine.Trackers.TrackerStatus'
        }
    }

    Context 'Trackers that fail' {
        It 'reports each tracker with its status and last error, without error records' {
            $hash = New-TestInfoHash
            # A port that is open but never answers (a closed one is refused at once: Failed).
            $silent = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([ipaddress]::Loopback, 0))
            $url = "udp://127.0.0.1:$($silent.Client.LocalEndPoint.Port)/announce"
            $err = $null
            try {
                $statuses = @(Get-TorrentTracker -MagnetLink "magnet:?xt=urn:btih:$hash" -Tracker $url, 'wss://127.0.0.1:1/announce' -TimeoutSec 1 -ErrorVariable err -ErrorAction SilentlyContinue)
            }
            finally {
                $silent.Dispose()
            }

            $err.Count | Should -Be 0
            $statuses.Count | Should -Be 2
            $statuses[0] | Should -BeOfType ([TorrentPS.Engine.Trackers.TrackerStatus])
            $statuses[0].Url | Should -Be $url
            $statuses[0].Tier | Should -Be 0
            $statuses[0].Status | Should -Be 'TimedOut'
            $statuses[0].LastError | Should -Not -BeNullOrEmpty
            $statuses[1].Tier | Should -Be 1
            $statuses[1].Status | Should -Be 'Unsupported'
        }
    }

    Context 'Against a real opentracker' -Skip:$NoOpenTracker {
        BeforeAll {
            $script:hash = New-TestInfoHash
            $script:tracker = Start-TestOpenTracker -InfoHash $hash
            Send-TestUdpAnnounce -Tracker $tracker -InfoHash $hash -FromAddress (Get-TestLoopbackAddress) -PeerPort 51413
            Send-TestUdpAnnounce -Tracker $tracker -InfoHash $hash -FromAddress (Get-TestLoopbackAddress) -PeerPort 51414
        }

        AfterAll {
            Stop-TestOpenTracker $tracker
        }

        It 'scrapes the seeders of a swarm over UDP and HTTP' {
            $link = "magnet:?xt=urn:btih:$hash&tr=$([uri]::EscapeDataString($tracker.UdpUrl))&tr=$([uri]::EscapeDataString($tracker.HttpUrl))"

            $statuses = @(Get-TorrentTracker -MagnetLink $link -TimeoutSec 5)

            $statuses.Url | Should -Be @($tracker.UdpUrl, $tracker.HttpUrl)
            foreach ($status in $statuses) {
                $status.Status | Should -Be 'Working'
                $status.Seeders | Should -Be 2
                $status.Leechers | Should -Be 0
                $status.Downloaded | Should -Be 0
                $status.LastError | Should -BeNullOrEmpty
            }
        }
    }
}
