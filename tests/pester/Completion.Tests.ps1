# Tab completion of values that can be known: -Tracker from the torrent named, -InfoHash from torrents at hand.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')
    $script:folder = Join-Path $TestDrive 'torrents'
    New-Item -ItemType Directory -Path $folder | Out-Null
    $script:hello = New-TestTorrent -Path (Join-Path $folder 'hello.torrent') -Announce 'udp://127.0.0.1:1/announce'
    $script:other = New-TestTorrent -Path (Join-Path $folder 'other.torrent') -Name 'other.txt' -Announce 'http://127.0.0.2:80/announce'

    function Get-Completion([string] $Line) {
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches | ForEach-Object CompletionText)
    }
}

Describe 'Tab completion' {
    BeforeEach { Push-Location -LiteralPath $folder }
    AfterEach { Pop-Location }

    It 'completes -Tracker from the torrent the command names' {
        Get-Completion 'Get-TorrentPeer ./hello.torrent -Tracker ' | Should -Be @('udp://127.0.0.1:1/announce')
    }

    It 'completes -Tracker from the torrent read before it in the pipeline' {
        Get-Completion 'Get-TorrentInfo ./other.torrent | Get-TorrentTracker -Tracker ' | Should -Be @('http://127.0.0.2:80/announce')
    }

    It 'completes -Tracker from the torrents of the current folder, by what was typed' {
        Get-Completion 'Get-TorrentTracker -Tracker udp' | Should -Be @('udp://127.0.0.1:1/announce')
    }

    It 'completes -InfoHash from the torrents of the current folder, by hash or by name' {
        Get-Completion 'Invoke-PeerHandshake -Address 127.0.0.1:1 -InfoHash ' | Sort-Object | Should -Be (@($hello.InfoHash, $other.InfoHash) | Sort-Object)
        Get-Completion 'Invoke-PeerHandshake -Address 127.0.0.1:1 -InfoHash oth' | Should -Be @($other.InfoHash)
    }

    It 'completes -InfoHash of ConvertTo-MagnetLink from its -LiteralPath' {
        Get-Completion 'ConvertTo-MagnetLink -LiteralPath ./hello.torrent -InfoHash ' | Should -Be @($hello.InfoHash)
    }
}
