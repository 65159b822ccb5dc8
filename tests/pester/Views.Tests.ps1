# The default views, as a user at an 80-column console sees them.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')
    $script:hello = New-TestTorrent -Path (Join-Path $TestDrive 'hello.torrent') -Announce 'udp://tracker.opentrackr.org:1337/announce'
    $script:debian = New-TestTorrent -Path (Join-Path $TestDrive 'debian.torrent') -Name 'debian-12.5.0-amd64-netinst.iso' -Content ([byte[]]::new(100000))
    $script:h1 = [TorrentPS.Engine.Metainfo.InfoHash]::Parse($hello.InfoHash)
    $script:h2 = [TorrentPS.Engine.Metainfo.InfoHash]::Parse($debian.InfoHash)

    function Lines([string] $Text) { $Text -split '\r?\n' }

    $script:peers = @(
        [TorrentPS.Engine.Peers.TorrentPeer]::new([ipaddress]'203.0.113.17', 51413, $h1, 'Tracker', 'udp://tracker.opentrackr.org:1337/announce')
        [TorrentPS.Engine.Peers.TorrentPeer]::new([ipaddress]'2001:db8:85a3::8a2e:370:7334', 6881, $h1, 'Tracker', 'udp://tracker.opentrackr.org:1337/announce')
        [TorrentPS.Engine.Peers.TorrentPeer]::new([ipaddress]'198.51.100.4', 6881, $h2, 'Magnet', $null)
    )
    $script:trackers = @(
        [TorrentPS.Engine.Trackers.TrackerStatus]@{ Url = 'udp://tracker.opentrackr.org:1337/announce'; Tier = 0; InfoHash = $h1; Status = 'Working'; Seeders = 4120; Leechers = 170; Downloaded = 90311; Interval = 1800 }
        [TorrentPS.Engine.Trackers.TrackerStatus]@{ Url = 'http://bttracker.debian.org:6969/announce'; Tier = 1; InfoHash = $h1; Status = 'TimedOut'; LastError = 'The tracker did not answer within 15 seconds.' }
        [TorrentPS.Engine.Trackers.TrackerStatus]@{ Url = 'udp://tracker.debian.example:6969/announce'; Tier = 0; InfoHash = $h2; Status = 'Working'; Seeders = 3; Leechers = 0 }
    )
    $extensions = [System.Collections.Generic.Dictionary[string, byte]]::new()
    $extensions['ut_metadata'] = 2
    $extensions['ut_pex'] = 1
    $remote = [TorrentPS.Engine.Wire.HandshakeMessage]::new([TorrentPS.Engine.Wire.ReservedBits]::Create($true, $true, $false), $h1, [TorrentPS.Engine.Peers.PeerId]::Generate())
    $script:handshake = [TorrentPS.Engine.Wire.PeerHandshake]::new($peers[0], $remote, [TorrentPS.Engine.Wire.ExtensionHandshake]::new($extensions, 'libtorrent/2.0.8.0', 6881, 2000, $null, 176, $true), [timespan]::FromMilliseconds(12))
}

Describe 'Default views at 80 columns' {
    It 'fit 80 columns: <Name>' -ForEach @(
        @{ Name = 'TorrentInfo'; Make = { Get-TorrentInfo -LiteralPath $hello.Path, $debian.Path } }
        @{ Name = 'TorrentInfo list'; Make = { Get-TorrentInfo -LiteralPath $debian.Path | Format-List } }
        @{ Name = 'TorrentFile'; Make = { (Get-TorrentInfo -LiteralPath $debian.Path).Files } }
        @{ Name = 'MagnetLink'; Make = { Get-TorrentInfo -LiteralPath $hello.Path | ConvertTo-MagnetLink -AsObject | Format-Table } }
        @{ Name = 'TorrentPeer'; Make = { $peers } }
        @{ Name = 'TrackerStatus'; Make = { $trackers } }
        @{ Name = 'PeerHandshake'; Make = { $handshake } }
        @{ Name = 'PeerHandshake list'; Make = { $handshake | Format-List } }
    ) {
        Lines (& $Make | Out-String -Width 80) | Where-Object Length -gt 80 | Should -BeNullOrEmpty
    }

    It 'shows many torrents as a table, one row each, by default' {
        $text = Get-TorrentInfo -LiteralPath $hello.Path, $debian.Path | Out-String -Width 80
        $text | Should -Match 'Name\s+Length\s+Files\s+InfoHash'
        $text | Should -Match 'hello\.txt\s+15 B\s+1 '
        $text | Should -Match 'debian-12\.5\.0-amd64-netinst\.iso\s+97\.7 KiB\s+1 '
        $text | Should -Not -Match 'PieceLength'
    }

    It 'groups peers by torrent and shows whole addresses and the tracker host' {
        $text = $peers | Out-String -Width 80
        $text | Should -Match "Torrent: $($hello.InfoHash)"
        $text | Should -Match "Torrent: $($debian.InfoHash)"
        $text | Should -Match '\[2001:db8:85a3::8a2e:370:7334\]:6881\s+Tracker\s+tracker\.opentrackr\.org:1337'
        $text | Should -Not -Match '…'
    }

    It 'groups trackers by torrent and shows whole URLs' {
        $text = $trackers | Out-String -Width 80
        @([regex]::Matches($text, 'Torrent: ')).Count | Should -Be 2
        $text | Should -Match '0 Working\s+4120\s+170 udp://tracker\.opentrackr\.org:1337/announce'
        $text | Should -Match 'TimedOut\s+http://bttracker\.debian\.org:6969/announce'
        $text | Should -Not -Match '…'
    }

    It 'lists a tracker status with why it failed' {
        $text = $trackers[1] | Format-List | Out-String -Width 80
        $text | Should -Match 'LastError\s+: The tracker did not answer within 15 seconds\.'
        $trackers[0] | Format-List | Out-String -Width 80 | Should -Match 'Interval\s+: 1800 s'
    }

    It 'shows a magnet link in a table with a readable length' {
        $text = Get-TorrentInfo -LiteralPath $hello.Path | ConvertTo-MagnetLink -AsObject | Format-Table | Out-String -Width 80
        $text | Should -Match "hello\.txt\s+15 B\s+1 $($hello.InfoHash)"
    }

    It 'lists a torrent file with a readable size' {
        $text = (Get-TorrentInfo -LiteralPath $debian.Path).Files | Format-List | Out-String -Width 80
        $text | Should -Match 'Length\s+: 97\.7 KiB'
        $text | Should -Match 'PathSegments\s+: debian-12\.5\.0-amd64-netinst\.iso'
    }

    It 'shows handshakes grouped by torrent and lists one readably' {
        $handshake | Out-String -Width 80 | Should -Match "Torrent: $($hello.InfoHash)"
        $text = $handshake | Format-List | Out-String -Width 80
        $text | Should -Match 'Extensions\s+: ut_metadata=2, ut_pex=1'
        $text | Should -Match 'MetadataSize\s+: 176 B'
        $text | Should -Match "PeerId\s+: [0-9a-f]{40}"
        $text | Should -Not -Match 'TorrentPS\.Engine\.|System\.'
    }
}
