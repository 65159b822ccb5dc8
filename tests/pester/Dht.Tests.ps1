# Peers without trackers from PowerShell: the session's DHT among libtorrent 2.0.8 DHT nodes on 127.0.0.0/8
# (settings per shared/INTEROP.md), -NoDht, Set-TorrentSession's DHT settings, Get-TorrentDhtNode, Get-TorrentPeer -Source.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')
    . (Join-Path $PSScriptRoot 'LibtorrentTestHelpers.ps1')
    $script:LibtorrentMissing = Get-TestLibtorrentMissing

    # A libtorrent session with its DHT on (loopback restrictions off), bootstrapping from 'nodes'; with a torrent it
    # seeds it without trackers once its DHT knows a node. It prints READY, then ANNOUNCE <hash> for each announce it stores.
    $script:DhtNodeScript = @'
import sys, time
import libtorrent as lt
ip, port, nodes, torrent, save = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
s = lt.session({'listen_interfaces': '%s:%d' % (ip, port), 'outgoing_interfaces': ip,
    'enable_upnp': False, 'enable_natpmp': False, 'enable_lsd': False, 'enable_dht': True, 'dht_bootstrap_nodes': '',
    'dht_restrict_routing_ips': False, 'dht_restrict_search_ips': False, 'dht_prefer_verified_node_ids': False,
    'dht_enforce_node_id': False, 'dht_announce_interval': 5, 'enable_outgoing_utp': False, 'enable_incoming_utp': False,
    'allow_multiple_connections_per_ip': True, 'max_failcount': 1000,
    'alert_mask': lt.alert.category_t.dht_notification | lt.alert.category_t.status_notification})
for node in filter(None, nodes.split(',')):
    host, _, node_port = node.rpartition(':')
    s.add_dht_node((host, int(node_port)))
while s.listen_port() == 0:
    time.sleep(0.05)
print('READY %d' % s.listen_port(), flush=True)
if torrent:
    while s.status().dht_nodes < 1:
        time.sleep(0.05)
    p = lt.add_torrent_params()
    p.ti = lt.torrent_info(torrent)
    p.save_path = save
    p.flags = lt.torrent_flags.seed_mode
    h = s.add_torrent(p)
    h.replace_trackers([])
    h.force_dht_announce()
while True:
    for a in s.pop_alerts():
        if isinstance(a, lt.dht_announce_alert):
            print('ANNOUNCE %s' % a.info_hash, flush=True)
    time.sleep(0.1)
'@

    function Start-TestDhtNode([string] $Nodes = '', [string] $Torrent = '', [string] $SavePath = '') {
        $endPoint = Get-TestLoopbackEndPoint
        $scriptPath = Join-Path ([System.IO.Path]::GetTempPath()) "tps-pester-dht-$([guid]::NewGuid().ToString('N')).py"
        Set-Content -LiteralPath $scriptPath -Value $script:DhtNodeScript
        $info = [System.Diagnostics.ProcessStartInfo]::new('/usr/bin/python3')
        foreach ($a in @($scriptPath, $endPoint.Address.ToString(), [string]$endPoint.Port, $Nodes, $Torrent, $SavePath)) { $info.ArgumentList.Add($a) }
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $info.UseShellExecute = $false
        $node = [pscustomobject]@{ Process = [System.Diagnostics.Process]::Start($info); EndPoint = $endPoint; Script = $scriptPath; Pending = $null }
        $line = Read-TestLibtorrentLine $node -TimeoutSec 30
        if ($line -notlike 'READY*') { Stop-TestLibtorrentPeer $node; throw "The libtorrent DHT node did not start: $line" }
        $node
    }

    function Wait-TestAnnounce($Node, [string] $InfoHash, [int] $TimeoutSec = 60) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        while ([DateTime]::UtcNow -lt $deadline) {
            $line = Read-TestLibtorrentLine $Node -TimeoutSec ([math]::Max(1, ($deadline - [DateTime]::UtcNow).TotalSeconds))
            if ($line -eq "ANNOUNCE $InfoHash") { return }
        }
        throw "The libtorrent DHT node on $($Node.EndPoint.Text) stored no announce of $InfoHash within $TimeoutSec s."
    }
}

Describe 'The DHT from PowerShell' {
    Context 'Parameters and settings' {
        It 'every transfer cmdlet takes -NoDht' {
            foreach ($name in 'Start-TorrentDownload', 'Start-MagnetDownload', 'Start-TorrentSeed', 'Save-TorrentPiece') {
                (Get-Command $name).Parameters['NoDht'].SwitchParameter | Should -BeTrue -Because $name
            }
        }

        It 'Get-TorrentPeer -Source takes Tracker and Dht only' {
            $source = (Get-Command Get-TorrentPeer).Parameters['Source']
            $source.Attributes.Where({ $_ -is [ValidateSet] }).ValidValues | Should -Be @('Tracker', 'Dht')
        }

        It 'Set-TorrentSession keeps the bootstrap nodes, refuses one that is not host:port, and goes back to the public routers' {
            try {
                Set-TorrentSession -DhtBootstrapNode '127.0.0.1:1', 'node.example:6881' -Confirm:$false
                (Get-TorrentSession).DhtBootstrapNodes | Should -Be @('127.0.0.1:1', 'node.example:6881')

                { Set-TorrentSession -DhtBootstrapNode 'no-port' -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidDhtBootstrapNode*'
                { Set-TorrentSession -DhtBootstrapNode '127.0.0.1:1' -DefaultDhtBootstrapNode -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ConflictingDhtBootstrapNodes*'

                Set-TorrentSession -DefaultDhtBootstrapNode -Confirm:$false
                $null -eq (Get-TorrentSession).DhtBootstrapNodes | Should -BeTrue -Because 'null stands for the public routers'

                Set-TorrentSession -DhtBootstrapNode @() -Confirm:$false
                $status = Get-TorrentSession
                $null -eq $status.DhtBootstrapNodes | Should -BeFalse -Because 'an empty list (no router) is not the default'
                $status.DhtBootstrapNodes.Count | Should -Be 0
            }
            finally {
                Set-TorrentSession -DhtBootstrapNode @() -Confirm:$false
            }
        }

        It 'a trackerless magnet link with -NoDht fails at once with NowhereToAsk' {
            $err = $null
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $out = Start-MagnetDownload ('magnet:?xt=urn:btih:' + ('b' * 40)) -Destination (Join-Path $TestDrive 'nodht') -NoDht -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'NowhereToAsk*'
            $err[0].Exception.Message | Should -BeLike '*-NoDht*'
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        }
    }

    Context 'Among libtorrent DHT nodes' {
        BeforeAll {
            if ($LibtorrentMissing) { return }
            $script:Node = Start-TestDhtNode
            $content = New-TestContent -Length (1MB + 999) -Seed 22
            $seedData = Join-Path $TestDrive 'dht-seed'
            New-Item -ItemType Directory -Path $seedData | Out-Null
            [System.IO.File]::WriteAllBytes((Join-Path $seedData 'trackerless.bin'), $content)
            $script:Trackerless = New-TestTorrent -Path (Join-Path $TestDrive 'trackerless.torrent') -Name 'trackerless.bin' -Content $content -PieceLength 65536
            $script:DhtSeeder = Start-TestDhtNode -Nodes $Node.EndPoint.Text -Torrent $Trackerless.Path -SavePath $seedData
            Wait-TestAnnounce $Node $Trackerless.InfoHash
            Set-TorrentSession -DhtBootstrapNode $Node.EndPoint.Text -Confirm:$false
        }

        AfterAll {
            # The tests after these expect a DHT with nowhere to look: the node stops (saving what it learnt), its saved
            # nodes are forgotten, and it starts again with no bootstrap node.
            Set-TorrentSession -Dht:$false -Confirm:$false
            Remove-Item -LiteralPath (Join-Path (Get-TorrentSession).StatePath 'dht.json') -ErrorAction SilentlyContinue
            Set-TorrentSession -Dht -DhtBootstrapNode @() -Confirm:$false
            Stop-TestLibtorrentPeer $script:DhtSeeder
            Stop-TestLibtorrentPeer $script:Node
        }

        It 'Get-TorrentPeer -Source Dht finds the trackerless seeder, saying it came from the DHT' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $peers = Get-TorrentPeer -MagnetLink "magnet:?xt=urn:btih:$($Trackerless.InfoHash)" -Source Dht

            $found = $peers | Where-Object { $_.Port -eq $DhtSeeder.EndPoint.Port }
            $found | Should -Not -BeNullOrEmpty -Because "the seeder is $($DhtSeeder.EndPoint.Text); the DHT named $($peers.EndPoint -join ', ')"
            $found[0].Source | Should -Be 'Dht'
        }

        It 'Start-MagnetDownload downloads a magnet link with no tracker through the DHT, and Get-TorrentDhtNode lists the node' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dht-download'

            $result = Start-MagnetDownload "magnet:?xt=urn:btih:$($Trackerless.InfoHash)" -Destination $destination -TimeoutSec 60

            $result.State | Should -Be 'Completed'
            (Get-FileHash (Join-Path $destination 'trackerless.bin')).Hash | Should -Be (Get-FileHash (Join-Path $TestDrive 'dht-seed' 'trackerless.bin')).Hash
            (Get-Torrent | Where-Object { $_.InfoHash.ToString() -eq $Trackerless.InfoHash }).Status.PeersFound.Dht | Should -BeGreaterThan 0
            $nodes = @(Get-TorrentDhtNode)
            $nodes.Count | Should -BeGreaterThan 0
            (Get-TorrentSession).Dht.Nodes | Should -Be $nodes.Count
        }
    }
}
