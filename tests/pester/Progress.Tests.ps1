# Progress of the network cmdlets (Get-TorrentPeer, Get-TorrentTracker, Invoke-PeerHandshake), read from the progress
# stream of a runspace of their own. Only 127.0.0.0/8: trackers and peers that refuse or do not exist.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')

    # Runs $Script (with $ProgressPreference = 'Continue') in a fresh runspace that imports the module; returns its
    # progress records.
    function Get-TestProgress([string] $Script) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', $script:ModuleManifest).AddParameter('ErrorAction', 'Stop')
            $null = $ps.AddStatement().AddScript("`$ProgressPreference = 'Continue'; `$ErrorActionPreference = 'SilentlyContinue'; $Script")
            $null = $ps.Invoke()
            @($ps.Streams.Progress)
        }
        finally {
            $ps.Dispose()
        }
    }

    function Get-ClosedLoopbackEndPoint {
        $address = [ipaddress]"127.0.$(Get-Random -Minimum 1 -Maximum 250).$(Get-Random -Minimum 2 -Maximum 250)"
        $probe = [System.Net.Sockets.TcpListener]::new($address, 0)
        $probe.Start()
        $port = $probe.LocalEndpoint.Port
        $probe.Stop()
        "${address}:$port"
    }

    $script:Hash = -join (1..20 | ForEach-Object { '{0:x2}' -f (Get-Random -Maximum 256) })
}

Describe 'Progress of the network cmdlets' {
    Context 'Get-TorrentTracker' {
        It 'writes one activity per torrent, counting trackers, and ends it with the final counts' {
            $records = @(Get-TestProgress "Get-TorrentTracker -MagnetLink 'magnet:?xt=urn:btih:$Hash&dn=Pester' -Tracker 'udp://127.0.0.1:1/announce', 'wss://127.0.0.1:1/announce' -TimeoutSec 1")

            $records.Count | Should -BeGreaterThan 1
            @($records.ActivityId | Sort-Object -Unique).Count | Should -Be 1
            $records[0].Activity | Should -Be 'Asking trackers of Pester'
            $records[0].StatusDescription | Should -Be '0 of 2 trackers answered, 0 failed'
            $records[0].RecordType | Should -Be 'Processing'
            $records[-1].RecordType | Should -Be 'Completed'
            $records[-1].StatusDescription | Should -Be '0 of 2 trackers answered, 2 failed'
            @($records | Where-Object RecordType -EQ 'Completed').Count | Should -Be 1
        }
    }

    Context 'Get-TorrentPeer' {
        It 'writes one activity for each torrent, named by its info hash when it has no name' {
            $other = -join (1..20 | ForEach-Object { '{0:x2}' -f (Get-Random -Maximum 256) })
            $records = @(Get-TestProgress "'magnet:?xt=urn:btih:$Hash&dn=Pester&tr=udp%3A%2F%2F127.0.0.1%3A1%2Fannounce', 'magnet:?xt=urn:btih:$other&tr=udp%3A%2F%2F127.0.0.1%3A1%2Fannounce' | Get-TorrentPeer -TimeoutSec 1")

            $activities = @($records | Group-Object ActivityId)
            $activities.Count | Should -Be 2
            @($activities | ForEach-Object { $_.Group[0].Activity }) | Should -Be @('Asking trackers of Pester', "Asking trackers of $other")
            foreach ($activity in $activities) {
                $activity.Group[0].StatusDescription | Should -Be '0 of 1 tracker answered, 0 failed, 0 peers'
                @($activity.Group)[-1].RecordType | Should -Be 'Completed'
                @($activity.Group)[-1].StatusDescription | Should -Be '0 of 1 tracker answered, 1 failed, 0 peers'
                @($activity.Group)[-1].PercentComplete | Should -Be 100
            }
        }

        It 'writes no more than four updates a second' {
            $started = [DateTime]::UtcNow
            $records = @(Get-TestProgress "Get-TorrentPeer -MagnetLink 'magnet:?xt=urn:btih:$Hash' -Tracker 'udp://127.0.0.1:1/announce' -TimeoutSec 2")
            $seconds = ([DateTime]::UtcNow - $started).TotalSeconds

            @($records | Where-Object RecordType -EQ 'Processing').Count | Should -BeLessOrEqual ([math]::Ceiling($seconds * 4) + 1)
            $records[-1].RecordType | Should -Be 'Completed'
        }
    }

    Context 'Invoke-PeerHandshake' {
        It 'writes one activity for the batch, counting handshakes answered and failed' {
            $peers = "'$(Get-ClosedLoopbackEndPoint)', '$(Get-ClosedLoopbackEndPoint)'"
            $records = @(Get-TestProgress "Invoke-PeerHandshake -Address $peers -InfoHash '$Hash' -TimeoutSec 2")

            @($records.ActivityId | Sort-Object -Unique).Count | Should -Be 1
            $records[0].Activity | Should -Be 'Handshaking with peers'
            $records[0].StatusDescription | Should -Be '0 of 2 peers: 0 answered, 0 failed'
            $records[-1].RecordType | Should -Be 'Completed'
            $records[-1].StatusDescription | Should -Be '2 of 2 peers: 0 answered, 2 failed'
            @($records | Where-Object RecordType -EQ 'Completed').Count | Should -Be 1
        }

        It 'writes no progress when no peer is given' {
            $records = @(Get-TestProgress 'try { @() | Invoke-PeerHandshake } catch { }')

            $records.Count | Should -Be 0
        }
    }
}
