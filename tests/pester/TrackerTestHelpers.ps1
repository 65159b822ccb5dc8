# Helpers for the tracker Pester tests (Get-TorrentPeer, Get-TorrentTracker): a real opentracker on a fresh
# 127.0.x.y, a raw BEP 15 announce from another loopback address (a second "client"), and hand-built torrents.
# Everything stays on 127.0.0.0/8.

function Get-TestLoopbackAddress {
    "127.0.$(Get-Random -Minimum 1 -Maximum 250).$(Get-Random -Minimum 2 -Maximum 250)"
}

function Get-TestFreePort([string] $Address) {
    $listener = [System.Net.Sockets.TcpListener]::new([ipaddress]$Address, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function New-TestInfoHash {
    -join (1..20 | ForEach-Object { '{0:x2}' -f (Get-Random -Maximum 256) })
}

# Starts opentracker (Debian build: whitelist only) for the given info hashes; returns an object with Address, Port,
# UdpUrl, HttpUrl, Process and Directory. Started as root it chroots into Directory and runs as nobody.
function Start-TestOpenTracker([string[]] $InfoHash, [string] $Address = (Get-TestLoopbackAddress), [int] $Port = 0) {
    if ($Port -eq 0) { $Port = Get-TestFreePort $Address }
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) "tps-pester-ot-$([guid]::NewGuid().ToString('N'))"
    New-Item -ItemType Directory -Path $dir | Out-Null
    Set-Content -LiteralPath (Join-Path $dir 'whitelist.txt') -Value ($InfoHash | ForEach-Object { $_.ToLowerInvariant() })
    $config = Join-Path $dir 'opentracker.conf'
    Set-Content -LiteralPath $config -Value @(
        "listen.tcp_udp ${Address}:$Port"
        'access.whitelist ./whitelist.txt'
        "tracker.rootdir $dir"
        'tracker.user nobody'
    )
    & chmod 755 $dir
    & chmod 644 (Join-Path $dir 'whitelist.txt') $config
    $process = Start-Process -FilePath (Get-Command opentracker).Source -ArgumentList '-f', $config -PassThru `
        -RedirectStandardOutput (Join-Path $dir 'stdout.txt') -RedirectStandardError (Join-Path $dir 'stderr.txt')
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while ($true) {
        $probe = [System.Net.Sockets.TcpClient]::new()
        try { $probe.Connect([ipaddress]$Address, $Port); break }
        catch {
            if ($process.HasExited -or [DateTime]::UtcNow -gt $deadline) { throw "opentracker did not start on ${Address}:$Port" }
            Start-Sleep -Milliseconds 50
        }
        finally { $probe.Dispose() }
    }
    # opentracker reads the whitelist on a thread of its own after it starts listening: until it has, every hash is
    # "not authorized". Probe with a 'stopped' announce, which leaves no peer behind.
    if ($InfoHash.Count -gt 0) {
        $encoded = -join ([Convert]::FromHexString($InfoHash[0]) | ForEach-Object { '%{0:X2}' -f $_ })
        $probeUrl = "http://${Address}:$Port/announce?info_hash=$encoded&peer_id=-XX0000-whitelist123&port=1&uploaded=0&downloaded=0&left=0&event=stopped&compact=1"
        # A new connection per GET: opentracker hangs up after every answer, so a second GET on a kept one is reset.
        $http = [System.Net.Http.HttpClient]::new([System.Net.Http.SocketsHttpHandler]@{ PooledConnectionLifetime = [TimeSpan]::Zero })
        try {
            while ($http.GetStringAsync($probeUrl).GetAwaiter().GetResult() -like '*not authorized*') {
                if ([DateTime]::UtcNow -gt $deadline) { throw "opentracker did not load its whitelist" }
                Start-Sleep -Milliseconds 25
            }
        }
        finally { $http.Dispose() }
    }
    [pscustomobject]@{
        Address   = $Address
        Port      = $Port
        UdpUrl    = "udp://${Address}:$Port/announce"
        HttpUrl   = "http://${Address}:$Port/announce"
        Process   = $process
        Directory = $dir
    }
}

function Stop-TestOpenTracker($Tracker) {
    if ($null -eq $Tracker) { return }
    if (-not $Tracker.Process.HasExited) { Stop-Process -Id $Tracker.Process.Id -Force -ErrorAction SilentlyContinue }
    $Tracker.Process.WaitForExit(5000) | Out-Null
    Remove-Item -LiteralPath $Tracker.Directory -Recurse -Force -ErrorAction SilentlyContinue
}

# A BEP 15 connect + announce (event started, left 0: a seeder) sent from $FromAddress, so the tracker lists
# ${FromAddress}:$PeerPort as a peer of $InfoHash. With -PassThru, the peers the tracker answered with ('ip:port').
function Send-TestUdpAnnounce($Tracker, [string] $InfoHash, [string] $FromAddress, [int] $PeerPort, [switch] $PassThru) {
    $udp = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([ipaddress]$FromAddress, 0))
    try {
        $udp.Client.ReceiveTimeout = 5000
        $remote = [System.Net.IPEndPoint]::new([ipaddress]$Tracker.Address, $Tracker.Port)
        $connect = [byte[]](0, 0, 4, 0x17, 0x27, 0x10, 0x19, 0x80, 0, 0, 0, 0, 1, 2, 3, 4)
        [void]$udp.Send($connect, $connect.Length, $remote)
        $from = [System.Net.IPEndPoint]::new([ipaddress]::Any, 0)
        $reply = $udp.Receive([ref]$from)
        $announce = [byte[]]::new(98)
        [Array]::Copy($reply, 8, $announce, 0, 8)                                   # connection id
        $announce[11] = 1                                                            # action: announce
        $announce[15] = 5                                                            # transaction id
        [Array]::Copy([Convert]::FromHexString($InfoHash), 0, $announce, 16, 20)
        [Array]::Copy([System.Text.Encoding]::ASCII.GetBytes('-PS0001-pestertest01'), 0, $announce, 36, 20)
        $announce[83] = 2                                                            # event: started
        $announce[92] = 0xff; $announce[93] = 0xff; $announce[94] = 0xff; $announce[95] = 0xff   # num_want -1
        $announce[96] = [byte]($PeerPort -shr 8); $announce[97] = [byte]($PeerPort -band 0xff)
        [void]$udp.Send($announce, $announce.Length, $remote)
        $answer = $udp.Receive([ref]$from)
        if ($PassThru) {
            # action, transaction id, interval, leechers, seeders; then 6 bytes a peer.
            for ($i = 20; $i + 6 -le $answer.Length; $i += 6) {
                "$($answer[$i]).$($answer[$i + 1]).$($answer[$i + 2]).$($answer[$i + 3]):$($answer[$i + 4] * 256 + $answer[$i + 5])"
            }
        }
    }
    finally { $udp.Dispose() }
}

# A minimal single-file torrent announcing to $AnnounceUrl; returns Bytes and InfoHash (hex).
function New-TestTrackerTorrentBytes([string] $AnnounceUrl, [string] $Name = 'pester.bin') {
    $ascii = [System.Text.Encoding]::ASCII
    $info = $ascii.GetBytes("d6:lengthi5e4:name$($Name.Length):${Name}12:piece lengthi16384e6:pieces20:$('a' * 20)e")
    $hash = [Convert]::ToHexString([System.Security.Cryptography.SHA1]::HashData($info)).ToLowerInvariant()
    $bytes = $ascii.GetBytes("d8:announce$($AnnounceUrl.Length):${AnnounceUrl}4:info") + $info + $ascii.GetBytes('e')
    [pscustomobject]@{ Bytes = [byte[]]$bytes; InfoHash = $hash }
}
