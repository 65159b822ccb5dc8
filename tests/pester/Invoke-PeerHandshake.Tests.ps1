# Invoke-PeerHandshake against a real python3-libtorrent seeder and scripted peers, all on 127.0.0.0/8.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')

    function Get-FreeLoopbackEndPoint {
        $address = [ipaddress]"127.0.$(Get-Random -Minimum 1 -Maximum 250).$(Get-Random -Minimum 2 -Maximum 250)"
        $probe = [System.Net.Sockets.TcpListener]::new($address, 0)
        $probe.Start()
        $port = $probe.LocalEndpoint.Port
        $probe.Stop()
        [pscustomobject]@{ Address = $address; Port = $port; Text = "${address}:$port" }
    }

    $script:Python = '/usr/bin/python3'
    $script:LibtorrentMissing = $null
    if (-not (Test-Path -LiteralPath $Python)) {
        $script:LibtorrentMissing = "$Python is not installed"
    }
    else {
        & $Python -c 'import libtorrent' 2>$null
        if ($LASTEXITCODE -ne 0) { $script:LibtorrentMissing = "$Python cannot import libtorrent (apt-get install python3-libtorrent)" }
    }
    if (-not $LibtorrentMissing -and -not (Get-Command mktorrent -ErrorAction Ignore)) {
        $script:LibtorrentMissing = 'mktorrent is not installed (apt-get install mktorrent)'
    }
    if (-not $LibtorrentMissing) {
        # What the installed libtorrent calls itself (e.g. 2.0.8.0): its peer id starts -LT2080-, each version part
        # one character (0-9, then A-Z for 10-35), and the engine names it 'libtorrent (rasterbar) 2.0.8'.
        $script:LibtorrentVersion = "$(& $Python -c 'import libtorrent; print(libtorrent.__version__)')".Trim()
        $parts = @($LibtorrentVersion.Split('.') | ForEach-Object { [int]$_ }) + @(0, 0, 0, 0)
        $script:LibtorrentClient = 'libtorrent (rasterbar) ' + ($parts[0..2] -join '.') + $(if ($parts[3] -gt 0) { ".$($parts[3])" })
        $prefix = '-LT' + (-join ($parts[0..3] | ForEach-Object { if ($_ -lt 10) { [string]$_ } else { [string][char](55 + $_) } })) + '-'
        $script:LibtorrentPeerIdHex = [System.Convert]::ToHexString([System.Text.Encoding]::ASCII.GetBytes($prefix)).ToLowerInvariant()
    }

    # A torrent of random content: mktorrent, 32 KiB pieces.
    $script:Data = Join-Path $TestDrive 'data'
    New-Item -ItemType Directory -Path $Data | Out-Null
    $bytes = [byte[]]::new(300000)
    [System.Random]::new(42).NextBytes($bytes)
    [System.IO.File]::WriteAllBytes((Join-Path $Data 'pester-wire.bin'), $bytes)
    $script:TorrentPath = Join-Path $TestDrive 'pester-wire.torrent'
    if (-not $LibtorrentMissing) {
        & mktorrent -l 15 -a 'http://127.0.0.1:1/announce' -o $TorrentPath (Join-Path $Data 'pester-wire.bin') *> $null
        $script:Torrent = Get-TorrentInfo -LiteralPath $TorrentPath

        # The seeder: settings per INTEROP.md (no UPnP, NAT-PMP, LSD, DHT or uTP; bound to its own 127.0.x.y).
        $script:Seeder = Get-FreeLoopbackEndPoint
        $script = @'
import sys, time
import libtorrent as lt
torrent, save_path, ip, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
s = lt.session({'listen_interfaces': '%s:%d' % (ip, port), 'outgoing_interfaces': ip,
    'enable_upnp': False, 'enable_natpmp': False, 'enable_lsd': False, 'enable_dht': False, 'dht_bootstrap_nodes': '',
    'enable_outgoing_utp': False, 'enable_incoming_utp': False, 'allow_multiple_connections_per_ip': True})
p = lt.add_torrent_params()
p.ti = lt.torrent_info(torrent)
p.save_path = save_path
p.flags = lt.torrent_flags.seed_mode
s.add_torrent(p)
while s.listen_port() == 0:
    time.sleep(0.05)
print('READY %d' % s.listen_port(), flush=True)
while True:
    time.sleep(1)
'@
        $scriptPath = Join-Path $TestDrive 'seed.py'
        Set-Content -LiteralPath $scriptPath -Value $script
        $info = [System.Diagnostics.ProcessStartInfo]::new($Python)
        foreach ($a in @($scriptPath, $TorrentPath, $Data, $Seeder.Address.ToString(), [string]$Seeder.Port)) { $info.ArgumentList.Add($a) }
        $info.RedirectStandardOutput = $true
        $info.UseShellExecute = $false
        $script:SeederProcess = [System.Diagnostics.Process]::Start($info)
        $line = $SeederProcess.StandardOutput.ReadLineAsync()
        if (-not $line.Wait(30000) -or $line.Result -notlike 'READY*') {
            throw "The libtorrent seeder did not start: $($line.Result)"
        }

        # Ready when it answers a handshake for the torrent.
        $deadline = (Get-Date).AddSeconds(20)
        do {
            $ready = Invoke-PeerHandshake -Address $Seeder.Text -InfoHash $Torrent.InfoHash -TimeoutSec 2 -ErrorAction SilentlyContinue
            if (-not $ready) { Start-Sleep -Milliseconds 200 }
        } until ($ready -or (Get-Date) -gt $deadline)
        if (-not $ready) { throw "The libtorrent seeder on $($Seeder.Text) never answered a handshake." }
    }
}

AfterAll {
    if ($script:SeederProcess -and -not $SeederProcess.HasExited) {
        $SeederProcess.Kill($true)
        $SeederProcess.WaitForExit(10000) | Out-Null
    }
}

Describe 'Invoke-PeerHandshake' {
    Context 'with a libtorrent seeder' {
        It 'handshakes with -Address and -InfoHash and names the client' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $h = Invoke-PeerHandshake -Address $Seeder.Text -InfoHash $Torrent.InfoHash -TimeoutSec 10
            $h | Should -BeOfType ([TorrentPS.Engine.Wire.PeerHandshake])
            $h.Client | Should -Be $LibtorrentClient
            $h.PeerId | Should -Match "^$LibtorrentPeerIdHex[0-9a-f]{24}$"
            $h.SupportsExtensionProtocol | Should -BeTrue
            $h.Extensions['ut_metadata'] | Should -BeGreaterThan 0
            $h.MetadataSize | Should -Be $Torrent.GetRawInfo().Length
            $h.ClientVersion | Should -BeLike "libtorrent/$LibtorrentVersion*"
            $h.RequestQueueLimit | Should -BeGreaterThan 0
            $h.Elapsed | Should -BeLessThan 10
            $h.Peer.EndPointText | Should -Be $Seeder.Text
        }

        It 'takes -Torrent from the pipeline with -Address' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $h = $Torrent | Invoke-PeerHandshake -Address $Seeder.Text
            $h.InfoHash | Should -Be $Torrent.InfoHash
        }

        It 'takes TorrentPeer objects from the pipeline and handshakes with each' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $peers = 1..3 | ForEach-Object {
                [TorrentPS.Engine.Peers.TorrentPeer]::new($Seeder.Address, $Seeder.Port, $Torrent.InfoHash, [TorrentPS.Engine.Peers.PeerSource]::Manual, $null)
            }
            $results = $peers | Invoke-PeerHandshake -ThrottleLimit 2
            $results | Should -HaveCount 3
            $results.Client | Sort-Object -Unique | Should -Be $LibtorrentClient
        }

        It 'goes on past a peer that fails and reports it as a non-terminating error' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $closed = Get-FreeLoopbackEndPoint
            $err = $null
            $results = Invoke-PeerHandshake -Address $closed.Text, $Seeder.Text -InfoHash $Torrent.InfoHash -TimeoutSec 5 -ErrorVariable err -ErrorAction SilentlyContinue
            $results | Should -HaveCount 1
            $results.Client | Should -Be $LibtorrentClient
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PeerUnreachable*'
        }

        It 'handshakes with peers that come back from <Through>' -ForEach @(
            @{ Through = 'Export-Csv and Import-Csv'; Save = { param($peer, $file) $peer | Export-Csv -LiteralPath $file }; Load = { param($file) Import-Csv -LiteralPath $file } }
            @{ Through = 'Export-Clixml and Import-Clixml'; Save = { param($peer, $file) $peer | Export-Clixml -LiteralPath $file }; Load = { param($file) Import-Clixml -LiteralPath $file } }
        ) {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $file = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
            & $Save ([TorrentPS.Engine.Peers.TorrentPeer]::new($Seeder.Address, $Seeder.Port, $Torrent.InfoHash, 'Manual', $null)) $file
            $back = & $Load $file
            $back | Should -Not -BeOfType ([TorrentPS.Engine.Peers.TorrentPeer])
            $h = $back | Invoke-PeerHandshake -TimeoutSec 10
            $h.Client | Should -Be $LibtorrentClient
            $h.Peer.EndPointText | Should -Be $Seeder.Text
            $h.InfoHash | Should -Be $Torrent.InfoHash
        }

        It 'handshakes with peers a background job returns' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $back = Start-Job -ArgumentList $ModuleManifest, $Seeder.Text, $Torrent.InfoHash {
                param($manifest, $address, $hash)
                Import-Module $manifest
                $endPoint = [System.Net.IPEndPoint]::Parse($address)
                [TorrentPS.Engine.Peers.TorrentPeer]::new($endPoint.Address, $endPoint.Port, [TorrentPS.Engine.Metainfo.InfoHash]::Parse($hash), 'Manual', $null)
            } | Receive-Job -Wait -AutoRemoveJob
            ($back | Invoke-PeerHandshake -TimeoutSec 10).Client | Should -Be $LibtorrentClient
        }

        It 'handshakes with a [pscustomobject] of Address, Port and InfoHash' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $h = [pscustomobject]@{ Address = $Seeder.Address; Port = $Seeder.Port; InfoHash = $Torrent.InfoHash } | Invoke-PeerHandshake
            $h.Client | Should -Be $LibtorrentClient
        }

        It 'takes piped address text with -InfoHash, and -Port for an address without one' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            ($Seeder.Text | Invoke-PeerHandshake -InfoHash $Torrent.InfoHash).Client | Should -Be $LibtorrentClient
            (Invoke-PeerHandshake -Address $Seeder.Address.ToString() -Port $Seeder.Port -InfoHash $Torrent.InfoHash).Client | Should -Be $LibtorrentClient
        }

        It 'says a peer that hangs up on our handshake probably does not serve the torrent' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $err = $null
            Invoke-PeerHandshake -Address $Seeder.Text -InfoHash ('ab' * 20) -TimeoutSec 5 -ErrorVariable err -ErrorAction SilentlyContinue
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PeerUnreachable,*'
            $err[0].Exception.Message | Should -BeLike '*closed the connection without answering our handshake (it usually does not serve this torrent)*'
        }

        It 'formats as a table with the peer and its client' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $text = Invoke-PeerHandshake -Address $Seeder.Text -InfoHash $Torrent.InfoHash | Out-String
            $text | Should -Match 'Peer\s+Client'
            $text | Should -Match ([regex]::Escape($Seeder.Text))
        }
    }

    Context 'errors' {
        It 'reports a closed loopback port as PeerUnreachable' {
            $closed = Get-FreeLoopbackEndPoint
            $err = $null
            $out = Invoke-PeerHandshake -Address $closed.Text -InfoHash ('ab' * 20) -TimeoutSec 3 -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PeerUnreachable*'
            $err[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        }

        It 'reports a peer that never answers as PeerTimeout' {
            $silent = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0)
            $silent.Start()   # the kernel completes the connection; nobody ever answers
            try {
                $err = $null
                Invoke-PeerHandshake -Address "127.0.0.1:$($silent.LocalEndpoint.Port)" -InfoHash ('cd' * 20) -TimeoutSec 1 -ErrorVariable err -ErrorAction SilentlyContinue
                $err | Should -HaveCount 1
                $err[0].FullyQualifiedErrorId | Should -BeLike 'PeerTimeout*'
                $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            }
            finally {
                $silent.Stop()
            }
        }

        It 'reports a peer that answers for another torrent as InfoHashMismatch' {
            $liar = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0)
            $liar.Start()
            $job = Start-ThreadJob -ArgumentList $liar {
                param($listener)
                $client = $listener.AcceptTcpClient()
                $stream = $client.GetStream()
                $buffer = [byte[]]::new(68)
                $read = 0
                while ($read -lt 68) { $read += $stream.Read($buffer, $read, 68 - $read) }
                for ($i = 28; $i -lt 48; $i++) { $buffer[$i] = 0xEE }   # echo the handshake with another info hash
                $stream.Write($buffer, 0, 68)
                # Hang up only once the cmdlet has: it reads the answer, finds the wrong hash and closes (or, at worst, the read times out).
                $stream.ReadTimeout = 10000
                try { while ($stream.Read($buffer, 0, 68) -gt 0) { } } catch { }
                $client.Dispose()
            }
            try {
                $err = $null
                Invoke-PeerHandshake -Address "127.0.0.1:$($liar.LocalEndpoint.Port)" -InfoHash ('12' * 20) -TimeoutSec 5 -ErrorVariable err -ErrorAction SilentlyContinue
                $err | Should -HaveCount 1
                $err[0].FullyQualifiedErrorId | Should -BeLike 'InfoHashMismatch*'
                $err[0].Exception.Actual.Hex | Should -Be ('ee' * 20)
            }
            finally {
                $job | Wait-Job -Timeout 10 | Out-Null
                # Stopping the listener first ends an AcceptTcpClient() still blocked in the job (if the cmdlet never
                # connected); Remove-Job -Force cannot interrupt that call and would wait for it.
                $liar.Stop()
                $job | Remove-Job -Force
            }
        }

        It 'reports a malformed address as InvalidPeerAddress' {
            $err = $null
            Invoke-PeerHandshake -Address 'not-an-address' -InfoHash ('ab' * 20) -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidPeerAddress*'
        }

        It 'rejects a -TimeoutSec of 0' {
            { Invoke-PeerHandshake -Address '127.0.0.1:1' -InfoHash ('ab' * 20) -TimeoutSec 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        }
    }
}
