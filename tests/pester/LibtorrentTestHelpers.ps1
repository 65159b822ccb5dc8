# Helpers for Pester tests against real python3-libtorrent peers on 127.0.0.0/8 (settings per shared/INTEROP.md: no UPnP,
# NAT-PMP, LSD, DHT or uTP; each peer bound to its own 127.0.x.y). A peer seeds (seed mode: the data is trusted) or
# downloads (prints DONE once it has everything); it can dial a given endpoint, again every second until connected.

function Get-TestLibtorrentMissing {
    # Why libtorrent cannot run here, or $null.
    $python = '/usr/bin/python3'
    if (-not (Test-Path -LiteralPath $python)) { return "$python is not installed" }
    & $python -c 'import libtorrent' 2>$null
    if ($LASTEXITCODE -ne 0) { return "$python cannot import libtorrent (apt-get install python3-libtorrent)" }
    $null
}

function Get-TestLoopbackEndPoint {
    # A fresh 127.0.x.y and a port free on it now.
    $address = [ipaddress]"127.0.$(Get-Random -Minimum 1 -Maximum 250).$(Get-Random -Minimum 2 -Maximum 250)"
    $probe = [System.Net.Sockets.TcpListener]::new($address, 0)
    $probe.Start()
    $port = $probe.LocalEndpoint.Port
    $probe.Stop()
    [pscustomobject]@{ Address = $address; Port = $port; Text = "${address}:$port" }
}

$script:LibtorrentPeerScript = @'
import sys, time
import libtorrent as lt
torrent, save_path, ip, port, mode, rate, connect = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], int(sys.argv[6]), sys.argv[7]
s = lt.session({'listen_interfaces': '%s:%d' % (ip, port), 'outgoing_interfaces': ip,
    'enable_upnp': False, 'enable_natpmp': False, 'enable_lsd': False, 'enable_dht': False, 'dht_bootstrap_nodes': '',
    'enable_outgoing_utp': False, 'enable_incoming_utp': False, 'allow_multiple_connections_per_ip': True,
    'upload_rate_limit': rate, 'download_rate_limit': 0, 'max_failcount': 1000, 'min_reconnect_time': 1})
if rate > 0:
    # Loopback peers are in libtorrent's unlimited local peer class: put every address in the global class only.
    f = lt.ip_filter()
    f.add_rule('0.0.0.0', '255.255.255.255', 1 << lt.session.global_peer_class_id)
    s.set_peer_class_filter(f)
p = lt.add_torrent_params()
p.ti = lt.torrent_info(torrent)
p.save_path = save_path
if mode == 'seed':
    p.flags = lt.torrent_flags.seed_mode
h = s.add_torrent(p)
while s.listen_port() == 0:
    time.sleep(0.05)
print('READY %d' % s.listen_port(), flush=True)
target = None
if connect:
    host, _, cport = connect.rpartition(':')
    target = (host, int(cport))
done = False
while True:
    st = h.status()
    if target and st.num_peers == 0:
        h.connect_peer(target)
    if mode == 'download' and st.is_seeding and not done:
        done = True
        print('DONE %d' % st.total_payload_download, flush=True)
    time.sleep(1 if not target or st.num_peers else 0.5)
'@

function Start-TestLibtorrentPeer {
    <#
    .SYNOPSIS
    Starts a libtorrent peer for $Torrent with its data in $SavePath (-Mode seed or download); returns Process, EndPoint.
    .PARAMETER UploadRateLimit
    Bytes per second the peer uploads at most; 0 for no limit.
    .PARAMETER ConnectTo
    An ip:port the peer dials (again every half second while it has no peer).
    #>
    param(
        [Parameter(Mandatory)] [string] $Torrent,
        [Parameter(Mandatory)] [string] $SavePath,
        [ValidateSet('seed', 'download')] [string] $Mode = 'seed',
        [int] $UploadRateLimit = 0,
        [string] $ConnectTo = ''
    )
    $endPoint = Get-TestLoopbackEndPoint
    $scriptPath = Join-Path ([System.IO.Path]::GetTempPath()) "tps-pester-lt-$([guid]::NewGuid().ToString('N')).py"
    Set-Content -LiteralPath $scriptPath -Value $script:LibtorrentPeerScript
    $info = [System.Diagnostics.ProcessStartInfo]::new('/usr/bin/python3')
    foreach ($a in @($scriptPath, $Torrent, $SavePath, $endPoint.Address.ToString(), [string]$endPoint.Port, $Mode, [string]$UploadRateLimit, $ConnectTo)) {
        $info.ArgumentList.Add($a)
    }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $peer = [pscustomobject]@{ Process = $process; EndPoint = $endPoint; Script = $scriptPath; Pending = $null }
    $line = Read-TestLibtorrentLine $peer -TimeoutSec 30
    if ($line -notlike 'READY*') {
        Stop-TestLibtorrentPeer $peer
        throw "The libtorrent $Mode peer did not start: $line $($process.StandardError.ReadToEnd())"
    }
    $peer
}

function Read-TestLibtorrentLine($Peer, [int] $TimeoutSec = 30) {
    # The peer's next line of output, or $null when none comes in time.
    if ($null -eq $Peer.Pending) { $Peer.Pending = $Peer.Process.StandardOutput.ReadLineAsync() }
    if (-not $Peer.Pending.Wait([timespan]::FromSeconds($TimeoutSec))) { return $null }
    $line = $Peer.Pending.Result
    $Peer.Pending = $null
    $line
}

function Wait-TestLibtorrentDone($Peer, [int] $TimeoutSec = 60) {
    # Waits for a downloading peer to print DONE <bytes>; returns the bytes it downloaded, or throws.
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ([DateTime]::UtcNow -lt $deadline) {
        $line = Read-TestLibtorrentLine $Peer -TimeoutSec ([math]::Max(1, ($deadline - [DateTime]::UtcNow).TotalSeconds))
        if ($line -like 'DONE *') { return [long]$line.Substring(5) }
        if ($null -eq $line -and $Peer.Process.HasExited) { break }
    }
    throw "The libtorrent peer on $($Peer.EndPoint.Text) did not finish within $TimeoutSec s."
}

function Stop-TestLibtorrentPeer($Peer) {
    if ($null -eq $Peer) { return }
    if (-not $Peer.Process.HasExited) { $Peer.Process.Kill($true) }
    $Peer.Process.WaitForExit(10000) | Out-Null
    Remove-Item -LiteralPath $Peer.Script -ErrorAction SilentlyContinue
}

function Start-TestRunspaceCommand([string] $Script) {
    # Starts $Script in a runspace of its own that imports the module, with progress written; returns PowerShell (Stop()
    # it as Ctrl+C would; its Streams hold progress, errors and verbose) and Async (for EndInvoke).
    # One script, not a batch of statements: a batch left running when the PowerShell is disposed fails the process.
    $ps = [powershell]::Create()
    $null = $ps.AddScript("Import-Module '$($script:ModuleManifest)' -ErrorAction Stop; `$ProgressPreference = 'Continue'; $Script")
    [pscustomobject]@{ PowerShell = $ps; Async = $ps.BeginInvoke() }
}

function Wait-TestRunspaceCommand($Command, [int] $TimeoutSec = 60) {
    # The command's output once it ends; throws if it runs longer than $TimeoutSec.
    if (-not $Command.Async.AsyncWaitHandle.WaitOne([timespan]::FromSeconds($TimeoutSec))) {
        $Command.PowerShell.Stop()
        throw "The command did not end within $TimeoutSec s."
    }
    $Command.PowerShell.EndInvoke($Command.Async)
}

function New-TestContent([int] $Length, [int] $Seed) {
    $bytes = [byte[]]::new($Length)
    [System.Random]::new($Seed).NextBytes($bytes)
    , $bytes
}
