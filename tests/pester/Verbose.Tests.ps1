# -Verbose: every network cmdlet (and the readers) says what it is doing.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')
    $script:t = New-TestTorrent -Path (Join-Path $TestDrive 'hello.torrent') -Announce 'udp://127.0.0.1:1/announce'

    function Get-VerboseText([scriptblock] $Command) {
        # The verbose records alone, as text; output and errors are left out.
        @(& $Command 4>&1 2>$null | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
    }

    function Get-ClosedEndPoint {
        $probe = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0)
        $probe.Start()
        $port = $probe.LocalEndpoint.Port
        $probe.Stop()
        "127.0.0.1:$port"
    }
}

Describe '-Verbose' {
    It 'Get-TorrentTracker says which trackers it asks, what each answered and the outcome' {
        $lines = @(Get-VerboseText { Get-TorrentTracker -LiteralPath $t.Path -TimeoutSec 1 -Verbose })
        $lines[0] | Should -Be "Asking the 1 tracker in 1 tier of 'hello.txt' ($($t.InfoHash)) for their status."
        $lines | Should -Contain "Trackers of 'hello.txt' ($($t.InfoHash)): 0 of 1 working."
        @($lines | Where-Object { $_ -like 'udp://127.0.0.1:1/announce: *' }) | Should -HaveCount 1
    }

    It 'Get-TorrentPeer says which trackers it asks and what came of it' {
        $lines = @(Get-VerboseText { Get-TorrentPeer -LiteralPath $t.Path -TimeoutSec 1 -Verbose -ErrorAction SilentlyContinue })
        $lines[0] | Should -Be "Asking 1 tracker in 1 tier for peers of 'hello.txt' ($($t.InfoHash))."
        $lines | Should -Contain "Found 0 peers of 'hello.txt' ($($t.InfoHash)): 0 of 1 tracker answered, 1 failed."
    }

    It 'Invoke-PeerHandshake says what it does, how each peer answered and the outcome' {
        $closed = Get-ClosedEndPoint
        $lines = @(Get-VerboseText { Invoke-PeerHandshake -Address $closed -InfoHash $t.InfoHash -TimeoutSec 2 -Verbose -ErrorAction SilentlyContinue })
        $lines | Should -Contain 'Handshaking with 1 peer, at most 1 at once, each within 2 s.'
        $lines | Should -Contain "$closed failed (PeerUnreachable)."
        $lines[-1] | Should -Be '0 of 1 peer answered.'
    }

    It 'Get-TorrentInfo says what it read' {
        $lines = @(Get-VerboseText { Get-TorrentInfo -LiteralPath $t.Path -Verbose })
        $lines | Should -HaveCount 1
        $lines[0] | Should -BeLike "Read 'hello.txt' ($($t.InfoHash)) from '*hello.torrent': 15 B in 1 file, 1 piece of 32.0 KiB."
    }

    It 'ConvertFrom-Bencode says what it decodes' {
        Get-VerboseText { 'd3:foo3:bare' | ConvertFrom-Bencode -Verbose } | Should -Be 'Decoding 12 bytes of bencode.'
    }
}
