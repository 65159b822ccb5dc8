# ConvertTo-Json of every object the cmdlets write: plain JSON at the default -Depth 2 and at -Depth 5, with no depth
# warning. Info hashes and addresses are text, states names, durations seconds, bitfields counts or index lists, and
# no .NET plumbing (TimeSpan, IPAddress, IPEndPoint, InfoHash, Bitfield) shows through. Real objects: torrents built
# by TestTorrents.ps1, a seed and a download run in this process's session (loopback only, the torrents' tracker is a
# closed port of 127.0.0.1), a handshake with that seed.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')

    $script:Data = Join-Path $TestDrive 'data'
    $script:AlbumFiles = @(
        @{ Path = 'cd1/one.bin'; Content = [byte[]](1..200 | ForEach-Object { $_ % 256 }) * 300 }
        @{ Path = 'cd1/two.bin'; Content = [byte[]](1..100 | ForEach-Object { ($_ * 7) % 256 }) * 200 }
        @{ Path = 'three.bin'; Content = [byte[]](1..50 | ForEach-Object { ($_ * 3) % 256 }) * 100 }
    )
    foreach ($file in $AlbumFiles) {
        $path = Join-Path $Data 'album' $file.Path
        New-Item -ItemType Directory -Path (Split-Path $path) -Force | Out-Null
        [System.IO.File]::WriteAllBytes($path, [byte[]]$file.Content)
    }
    $script:Album = New-TestTorrent -Path (Join-Path $TestDrive 'album.torrent') -Name 'album' -Files $AlbumFiles -PieceLength 16384 -Announce 'http://127.0.0.1:1/announce'
    $script:Single = New-TestTorrent -Path (Join-Path $TestDrive 'hello.torrent') -Announce 'udp://127.0.0.1:1/announce'
    $script:Wanted = New-TestTorrent -Path (Join-Path $TestDrive 'wanted.torrent') -Name 'wanted' -Files @(
        @{ Path = 'a.bin'; Content = [byte[]]::new(40000) }
        @{ Path = 'b.bin'; Content = [byte[]]::new(30000) }
    ) -Announce 'http://127.0.0.1:1/announce'

    # What ConvertTo-Json makes of $InputObject at -Depth $Depth: its text, the warnings it wrote, and the text read back.
    function ConvertTo-TestJson($InputObject, [int] $Depth = 2) {
        $warnings = $null
        $text = ConvertTo-Json -InputObject $InputObject -Depth $Depth -WarningVariable warnings -WarningAction SilentlyContinue
        [pscustomobject]@{ Text = $text; Warnings = @($warnings); Value = $text | ConvertFrom-Json }
    }

    # Where the JSON read back shows .NET plumbing: the members of a TimeSpan, an IPAddress or an InfoHash, or an
    # object cut to its type name or its @{...} text by the depth limit. Returns the paths, none when the JSON is plain.
    function Find-TestPlumbing($Value, [string] $Path = '$') {
        if ($null -eq $Value) { return }
        if ($Value -is [string]) {
            if ($Value -match '^(@\{|System\.|TorrentPS\.)') { "$Path = '$Value'" }
            return
        }
        if ($Value -is [System.Collections.IList]) {
            for ($i = 0; $i -lt $Value.Count; $i++) { Find-TestPlumbing $Value[$i] "$Path[$i]" }
            return
        }
        if ($Value -is [System.Management.Automation.PSCustomObject]) {
            foreach ($property in $Value.PSObject.Properties) {
                if ($property.Name -in 'Ticks', 'TotalSeconds', 'Days', 'AddressFamily', 'ScopeId', 'IsIPv4MappedToIPv6', 'Hex', 'IsEmpty') {
                    "$Path.$($property.Name)"
                }
                Find-TestPlumbing $property.Value "$Path.$($property.Name)"
            }
        }
    }

    # Every check that holds for every output type: no warning at -Depth 2 or 5, no plumbing, and (for an immutable
    # object) nothing that -Depth 5 shows and -Depth 2 cut.
    function Assert-TestPlainJson($InputObject, [switch] $Live) {
        $two = ConvertTo-TestJson $InputObject 2
        $five = ConvertTo-TestJson $InputObject 5
        $two.Warnings | Should -BeNullOrEmpty -Because 'the default depth holds the whole object'
        $five.Warnings | Should -BeNullOrEmpty
        Find-TestPlumbing $two.Value | Should -BeNullOrEmpty -Because $two.Text
        if (-not $Live) { $two.Text | Should -BeExactly $five.Text }
        $two.Value
    }

    function Wait-TestCondition([scriptblock] $Condition, [string] $What, [int] $TimeoutSec = 30) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Waited $TimeoutSec s for: $What" }
            Start-Sleep -Milliseconds 50
        }
    }

    $script:HexHash = '^[0-9a-f]{40}$'
}

Describe 'ConvertTo-Json of what the torrent cmdlets write' {
    It 'TorrentInfo (Get-TorrentInfo): the info hash as text, files flat, no piece hashes' {
        $info = Get-TorrentInfo -LiteralPath $Album.Path

        $json = Assert-TestPlainJson $info

        $json.InfoHash | Should -BeOfType ([string])
        $json.InfoHash | Should -Be $Album.InfoHash
        $json.InfoHash | Should -Match $HexHash
        $json.Files | Should -HaveCount 3
        $json.Files[0].Path | Should -Be 'cd1/one.bin'
        $json.Files[0].Length | Should -Be 60000
        $json.PSObject.Properties.Name | Should -Not -Contain 'PieceHashes' -Because 'a large torrent has millions (GetPieceHashes() gives them)'
        $json.TrackerTiers[0] | Should -Be @('http://127.0.0.1:1/announce')
        $info.GetPieceHashes()[0] | Should -Match $HexHash
    }

    It 'TorrentInfo (New-Torrent)' {
        $created = New-Torrent -Path (Join-Path $Data 'album') -Destination (Join-Path $TestDrive 'new.torrent')

        $json = Assert-TestPlainJson $created

        $json.InfoHash | Should -BeOfType ([string])
        $json.InfoHash | Should -Be $created.InfoHash
        $json.Files.Path | Should -Contain 'cd1/two.bin'
    }

    It 'TorrentFile: its path as text, no segment list' {
        $file = (Get-TorrentInfo -LiteralPath $Album.Path).Files[1]

        $json = Assert-TestPlainJson $file

        $json.Path | Should -Be 'cd1/two.bin'
        $json.Offset | Should -Be 60000
        $json.PSObject.Properties.Name | Should -Not -Contain 'PathSegments'
        $file.GetPathSegments() | Should -Be @('cd1', 'two.bin')
    }

    It 'MagnetLink (ConvertFrom-MagnetLink, ConvertTo-MagnetLink -AsObject): peer addresses as text' {
        $link = ConvertFrom-MagnetLink "magnet:?xt=urn:btih:$($Single.InfoHash)&dn=hello.txt&x.pe=127.0.0.2:6881"
        $fromTorrent = Get-TorrentInfo -LiteralPath $Single.Path | ConvertTo-MagnetLink -AsObject

        $json = Assert-TestPlainJson $link
        $other = Assert-TestPlainJson $fromTorrent

        $json.InfoHash | Should -BeOfType ([string])
        $json.InfoHash | Should -Be $Single.InfoHash
        $json.PeerAddresses | Should -Be @('127.0.0.2:6881')
        $other.InfoHash | Should -Be $Single.InfoHash
        $other.Uri | Should -BeLike 'magnet:?xt=urn:btih:*'
    }

    It 'TorrentPeer (Get-TorrentPeer): the address as dotted text, the source as a name' {
        $peer = Get-TorrentPeer -MagnetLink "magnet:?xt=urn:btih:$($Single.InfoHash)&x.pe=127.0.0.2:6889" -TimeoutSec 1

        $json = Assert-TestPlainJson $peer

        $json.Address | Should -BeOfType ([string])
        $json.Address | Should -Be '127.0.0.2'
        $json.Port | Should -Be 6889
        $json.InfoHash | Should -Be $Single.InfoHash
        $json.Source | Should -Be 'Magnet'
        $json.EndPoint | Should -Be '127.0.0.2:6889'
        $json.EndPointText | Should -Be '127.0.0.2:6889'
    }

    It 'TrackerStatus (Get-TorrentTracker): the status as a name, intervals as seconds or null' {
        $status = Get-TorrentInfo -LiteralPath $Single.Path | Get-TorrentTracker -Tracker 'udp://127.0.0.1:1/announce' -TimeoutSec 1 -ErrorAction SilentlyContinue

        $json = Assert-TestPlainJson $status

        $json.InfoHash | Should -Be $Single.InfoHash
        $json.Status | Should -Be 'Failed'
        $json.Interval | Should -BeNullOrEmpty
        $json.NextAnnounce | Should -BeOfType ([datetime])
    }

    It 'VerificationResult and FileVerification (Test-Torrent -Detailed): counts and index lists, statuses as names, Elapsed in seconds' {
        $result = Test-Torrent -LiteralPath $Album.Path -DataPath $Data -File 'cd1/*' -Detailed

        $json = Assert-TestPlainJson $result
        $file = Assert-TestPlainJson $result.Files[2]

        $json.InfoHash | Should -Be $Album.InfoHash
        $json.IsComplete | Should -BeTrue
        $json.PieceCount | Should -Be $result.PieceCount
        $json.ValidPieceCount | Should -Be $result.ValidPieceCount
        $json.ValidPieceCount | Should -BeGreaterThan 0
        , $json.InvalidPieces | Should -BeOfType ([object[]])
        $json.PSObject.Properties.Name | Should -Not -Contain 'ValidPieces' -Because 'a bitfield is a count (ValidPieceCount) in JSON'
        $json.Elapsed | Should -BeOfType ([double])
        $json.Elapsed | Should -BeGreaterOrEqual 0
        $json.Elapsed | Should -BeLessThan 60
        $json.Selection.Priorities | Should -Be @('Normal', 'Normal', 'Skip')
        $json.Files.Status | Should -Be @('Complete', 'Complete', 'Skipped')
        $file.Status | Should -Be 'Skipped'
        $file.RelativePath | Should -Be 'three.bin'
    }

    It 'ConvertFrom-Bencode: ordered keys as an object, integers as numbers; a nested torrent needs a deeper -Depth, as any nested data' {
        $single = ConvertFrom-Bencode -InputObject ([System.IO.File]::ReadAllBytes($Single.Path))
        $album = ConvertFrom-Bencode -InputObject ([System.IO.File]::ReadAllBytes($Album.Path))

        $json = Assert-TestPlainJson $single
        $deep = ConvertTo-TestJson $album 5

        $json.announce | Should -Be 'udp://127.0.0.1:1/announce'
        $json.'creation date' | Should -Be 1700000000
        $json.info.name | Should -Be 'hello.txt'
        $deep.Warnings | Should -BeNullOrEmpty
        $deep.Value.info.files[0].path | Should -Be @('cd1', 'one.bin')
    }
}

Describe 'ConvertTo-Json of the session''s objects' {
    BeforeAll {
        $script:SeedJob = Start-TorrentSeed -LiteralPath $Album.Path -DataPath $Data -AsJob
        $script:DownloadJob = Start-TorrentDownload -LiteralPath $Wanted.Path -Destination (Join-Path $TestDrive 'wanted') -TimeoutSec 0 -AsJob
        Wait-TestCondition -What 'the album seeds' { (Get-Torrent -InfoHash $Album.InfoHash -ErrorAction SilentlyContinue).State -eq 'Seeding' }
        Wait-TestCondition -What 'the download asks for peers' { (Get-Torrent -InfoHash $Wanted.InfoHash -ErrorAction SilentlyContinue).State -eq 'Downloading' }
    }

    AfterAll {
        Get-Torrent -InfoHash $Album.InfoHash, $Wanted.InfoHash -ErrorAction SilentlyContinue | Remove-Torrent -Confirm:$false -ErrorAction SilentlyContinue
        $script:SeedJob, $script:DownloadJob | Where-Object { $_ } | Remove-Job -Force -ErrorAction SilentlyContinue
    }

    It 'Torrent (Get-Torrent): flat, with its last status nested plainly and no metainfo or request' {
        $torrent = Get-Torrent -InfoHash $Album.InfoHash

        $json = Assert-TestPlainJson $torrent -Live

        $json.InfoHash | Should -BeOfType ([string])
        $json.InfoHash | Should -Be $Album.InfoHash
        $json.State | Should -Be 'Seeding'
        $json.Status.State | Should -Be 'Seeding'
        $json.Status.Elapsed | Should -BeOfType ([double])
        $json.Status.SeedingTime | Should -BeOfType ([double])
        $json.PSObject.Properties.Name | Should -Not -Contain 'Info'
        $json.PSObject.Properties.Name | Should -Not -Contain 'Request'
        $torrent.GetInfo().InfoHash | Should -Be $Album.InfoHash
    }

    It 'TorrentStatus (a Torrent''s Status): durations in seconds' {
        $status = (Get-Torrent -InfoHash $Album.InfoHash).Status

        $json = Assert-TestPlainJson $status

        $json.InfoHash | Should -Be $Album.InfoHash
        $json.State | Should -Be 'Seeding'
        $json.Elapsed | Should -BeOfType ([double])
        $json.Elapsed | Should -BeLessThan 600
        $json.VerifiedPieces | Should -Be $status.PieceCount
    }

    It 'SessionStatus (Get-TorrentSession): where it listens as text' {
        $session = Get-TorrentSession

        $json = Assert-TestPlainJson $session

        $json.ListenEndPoint | Should -BeOfType ([string])
        $json.ListenEndPoint | Should -Match ':\d+$'
        $json.ListenEndPoint | Should -BeLike "*:$($session.ListenPort)"
        $json.Listen | Should -BeOfType ([string])
        $json.TorrentCount | Should -BeGreaterOrEqual 2
    }

    It 'PeerHandshake (Invoke-PeerHandshake): peer id, reserved bytes and address as text, Elapsed in seconds' {
        $handshake = Invoke-PeerHandshake -Address "127.0.0.1:$((Get-TorrentSession).ListenPort)" -InfoHash $Album.InfoHash -TimeoutSec 10

        $json = Assert-TestPlainJson $handshake

        $json.InfoHash | Should -Be $Album.InfoHash
        $json.PeerId | Should -Match '^[0-9a-f]{40}$'
        $json.Reserved | Should -Match '^[0-9a-f]{16}$'
        $json.Peer.Address | Should -Be '127.0.0.1'
        $json.EndPoint | Should -BeLike '127.0.0.1:*'
        $json.Peer.Source | Should -Be 'Manual'
        $json.Elapsed | Should -BeOfType ([double])
        $json.Elapsed | Should -BeLessThan 10
        $json.Extensions.ut_metadata | Should -BeGreaterThan 0
        $json.PSObject.Properties.Name | Should -Not -Contain 'ExtensionHandshake'
    }

    It 'TorrentFilePriority (Set-Torrent -PassThru): the priority as a name' {
        $files = Set-Torrent -InfoHash $Wanted.InfoHash -File 'b.bin' -Priority High -PassThru

        $json = Assert-TestPlainJson @($files)

        $json.Priority | Should -Be @('Normal', 'High')
        $json.Path | Should -Be @('a.bin', 'b.bin')
    }

    It 'DownloadResult (a download''s and a seed''s result): the info hash as text, the state as a name, Elapsed in seconds' {
        Get-Torrent -InfoHash $Wanted.InfoHash, $Album.InfoHash | Stop-Torrent | Out-Null
        $stopped = $DownloadJob | Receive-Job -Wait
        $seeded = $SeedJob | Receive-Job -Wait

        $json = Assert-TestPlainJson $stopped
        $seed = Assert-TestPlainJson $seeded

        $json.InfoHash | Should -BeOfType ([string])
        $json.InfoHash | Should -Be $Wanted.InfoHash
        $json.State | Should -Be 'Stopped'
        $json.Elapsed | Should -BeOfType ([double])
        $json.Elapsed | Should -BeGreaterThan 0
        $json.Elapsed | Should -BeLessThan 600
        $seed.InfoHash | Should -Be $Album.InfoHash
        $seed.State | Should -BeIn 'Completed', 'Stopped'
        $seed.DataPath | Should -Be $Data
    }
}

Describe 'Objects whose info hash is text still bind by property name' {
    It 'a piped MagnetLink binds -MagnetLink by its Uri and -InfoHash by its InfoHash in one parameter set' {
        $link = ConvertFrom-MagnetLink "magnet:?xt=urn:btih:$($Single.InfoHash)&dn=hello.txt"

        $status = $link | Get-TorrentTracker -Tracker 'udp://127.0.0.1:1/announce' -TimeoutSec 1 -ErrorAction SilentlyContinue

        $status.InfoHash | Should -Be $Single.InfoHash
    }

    It 'says InfoHashMismatch when -InfoHash names another torrent than -MagnetLink' {
        $err = $null
        $out = Get-TorrentTracker -MagnetLink "magnet:?xt=urn:btih:$($Single.InfoHash)" -InfoHash $Album.InfoHash -Tracker 'udp://127.0.0.1:1/announce' -TimeoutSec 1 -ErrorVariable err -ErrorAction SilentlyContinue

        $out | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InfoHashMismatch,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}
