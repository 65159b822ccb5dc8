# Torrents that come back from a job, Export-Clixml or a CSV file are no longer TorrentInfo objects: they bind by
# their SourcePath (read again) and InfoHash (checked).
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')
    $script:t = New-TestTorrent -Path (Join-Path $TestDrive 'hello.torrent')
    $script:info = Get-TorrentInfo -LiteralPath $t.Path
    $script:link = $info | ConvertTo-MagnetLink

    function Save-AndLoad([string] $Through, $InputObject) {
        $file = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        switch ($Through) {
            'Clixml' { $InputObject | Export-Clixml -LiteralPath $file; Import-Clixml -LiteralPath $file }
            'Csv' { $InputObject | Export-Csv -LiteralPath $file; Import-Csv -LiteralPath $file }
        }
    }
}

Describe 'A torrent that came back from <_>' -ForEach 'Clixml', 'Csv' {
    BeforeAll {
        $script:back = Save-AndLoad $_ $info
    }

    It 'is no longer a TorrentInfo' {
        $back | Should -Not -BeOfType ([TorrentPS.Engine.Metainfo.TorrentInfo])
    }

    It 'makes the same magnet link' {
        $back | ConvertTo-MagnetLink | Should -Be $link
    }

    It 'is read again by Get-TorrentInfo' {
        ($back | Get-TorrentInfo).InfoHash | Should -Be $info.InfoHash
    }

    It 'reaches Get-TorrentTracker as the torrent it was' {
        $status = $back | Get-TorrentTracker -Tracker 'udp://127.0.0.1:1/announce' -TimeoutSec 1
        $status.InfoHash | Should -Be $info.InfoHash
    }
}

Describe 'A torrent that came back from a job' {
    It 'makes the same magnet link' {
        Start-Job -ArgumentList $ModuleManifest, $t.Path { param($manifest, $path) Import-Module $manifest; Get-TorrentInfo -LiteralPath $path } |
            Receive-Job -Wait -AutoRemoveJob |
            ConvertTo-MagnetLink |
            Should -Be $link
    }
}

Describe 'A torrent whose file changed since it was read' {
    It 'is reported as TorrentChanged, not read as another torrent' {
        $path = Join-Path $TestDrive 'changing.torrent'
        Copy-Item -LiteralPath $t.Path -Destination $path
        $back = Save-AndLoad 'Clixml' (Get-TorrentInfo -LiteralPath $path)
        New-TestTorrent -Path $path -Name 'other.txt' | Out-Null
        $err = $null
        $out = $back | ConvertTo-MagnetLink -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'TorrentChanged,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
    }
}
