# The session in a real pwsh: one per process (Get-Torrent from a thread job), suspend with nothing moving and resume,
# Stop-Torrent from another runspace, Remove-Torrent with data, what Ctrl+C leaves, saved state read by a second pwsh,
# and a late seeder reaching Start-TorrentDownload through opentracker. Real python3-libtorrent seeders on 127.0.0.0/8.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'TestTorrents.ps1')
    . (Join-Path $PSScriptRoot 'LibtorrentTestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'TrackerTestHelpers.ps1')
    $script:LibtorrentMissing = Get-TestLibtorrentMissing

    function Get-TestHash([string] $Path) { (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash }

    # A torrent of $Length random bytes with its data in a folder of its own, served by a libtorrent seeder uploading at
    # $Rate bytes per second, so a download of it is still running a few seconds after it starts.
    function New-TestSwarm([string] $Name, [int] $Length = 3MB, [int] $Rate = 300000, [string] $Announce = 'http://127.0.0.1:1/announce', [switch] $NoSeeder) {
        $data = Join-Path $TestDrive "seed-$Name"
        New-Item -ItemType Directory -Path $data -Force | Out-Null
        $bytes = New-TestContent -Length $Length -Seed $Length
        [System.IO.File]::WriteAllBytes((Join-Path $data $Name), $bytes)
        $torrent = New-TestTorrent -Path (Join-Path $TestDrive "$Name.torrent") -Name $Name -Content $bytes -PieceLength 32768 -Announce $Announce
        $seeder = if ($NoSeeder -or $LibtorrentMissing) { $null } else { Start-TestLibtorrentPeer -Torrent $torrent.Path -SavePath $data -UploadRateLimit $Rate }
        [pscustomobject]@{ Name = $Name; Torrent = $torrent; Data = $data; Seeder = $seeder; Length = $Length }
    }

    # Returns once $Condition holds (read again as the engine publishes: a few times a second), or throws.
    function Wait-TestCondition([scriptblock] $Condition, [string] $What, [int] $TimeoutSec = 30) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Waited $TimeoutSec s for: $What" }
            Start-Sleep -Milliseconds 50
        }
    }

    # Returns after $Count ticks of a running torrent's loop (each tick publishes a status with a new Elapsed).
    function Wait-TestTicks($Torrent, [int] $Count, [int] $TimeoutSec = 30) {
        $seen = 0
        $last = $Torrent.Status.Elapsed
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        while ($seen -lt $Count) {
            $now = $Torrent.Status.Elapsed
            if ($now -ne $last) { $seen++; $last = $now }
            if ([DateTime]::UtcNow -gt $deadline) { throw "$($Torrent.Name) ticked $seen times in $TimeoutSec s" }
            Start-Sleep -Milliseconds 20
        }
    }

    # The peers opentracker lists for $InfoHash, asked by a probe on a fresh address (a UDP announce, BEP 15).
    function Get-TestTrackerPeer($Tracker, [string] $InfoHash) {
        $udp = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([ipaddress](Get-TestLoopbackAddress), 0))
        try {
            $udp.Client.ReceiveTimeout = 5000
            $remote = [System.Net.IPEndPoint]::new([ipaddress]$Tracker.Address, $Tracker.Port)
            $connect = [byte[]](0, 0, 4, 0x17, 0x27, 0x10, 0x19, 0x80, 0, 0, 0, 0, 1, 2, 3, 4)
            [void]$udp.Send($connect, $connect.Length, $remote)
            $from = [System.Net.IPEndPoint]::new([ipaddress]::Any, 0)
            $reply = $udp.Receive([ref]$from)
            $announce = [byte[]]::new(98)
            [Array]::Copy($reply, 8, $announce, 0, 8)
            $announce[11] = 1; $announce[15] = 6
            [Array]::Copy([Convert]::FromHexString($InfoHash), 0, $announce, 16, 20)
            [Array]::Copy([System.Text.Encoding]::ASCII.GetBytes('-PS0001-pesterprobe1'), 0, $announce, 36, 20)
            # event: none; the probe is listed as a seed on port 1, where nothing answers (nobody is misled by it)
            $announce[92] = 0xff; $announce[93] = 0xff; $announce[94] = 0xff; $announce[95] = 0xff
            $announce[97] = 1
            [void]$udp.Send($announce, $announce.Length, $remote)
            $answer = $udp.Receive([ref]$from)
            for ($i = 20; $i + 6 -le $answer.Length; $i += 6) {
                "$($answer[$i]).$($answer[$i + 1]).$($answer[$i + 2]).$($answer[$i + 3]):$($answer[$i + 4] * 256 + $answer[$i + 5])"
            }
        }
        finally { $udp.Dispose() }
    }
}

Describe 'The torrent session' {
    Context 'Command shape' {
        It 'has the lifecycle cmdlets, taking Torrent objects from the pipeline, -Name and -InfoHash' {
            foreach ($name in 'Get-Torrent', 'Suspend-Torrent', 'Resume-Torrent', 'Stop-Torrent', 'Remove-Torrent', 'Wait-Torrent') {
                $command = Get-Command $name
                $command.ParameterSets.Name | Sort-Object | Should -Be @('InfoHash', 'Name', 'Torrent')
                $command.Parameters['Torrent'].ParameterType | Should -Be ([TorrentPS.Engine.Session.Torrent[]])
            }
            (Get-Command Remove-Torrent).Parameters.Keys | Should -Contain 'WhatIf'
            (Get-Command Get-TorrentSession).OutputType.Name | Should -Contain 'TorrentPS.Engine.Session.SessionStatus'
        }

        It 'keeps its state in the test folder, never the user''s' {
            (Get-TorrentSession).StatePath | Should -Be ([System.IO.Path]::GetFullPath($env:TORRENTPS_STATE))
        }

        It 'refuses to import with the real per-user folder when TORRENTPS_TEST is set' {
            $script = "`$env:TORRENTPS_STATE = `$null; Import-Module '$($script:ModuleManifest)' -ErrorAction Stop"
            $output = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $script 2>&1 | Out-String
            $LASTEXITCODE | Should -Not -Be 0
            $output | Should -Match 'TORRENTPS_STATE'
        }

        It 'says which torrent it does not hold' {
            $err = $null
            Get-Torrent -Name 'no-such-torrent' -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'TorrentNotFound*'
            Get-Torrent -Name 'no-such-*' | Should -BeNullOrEmpty
            { Stop-Torrent -ErrorAction Stop } | Should -Throw -ErrorId 'TorrentNotNamed*'
        }
    }

    Context 'A foreground download, seen and stopped from elsewhere' {
        BeforeAll {
            $script:Far = New-TestSwarm -Name 'far.bin'
        }

        AfterAll {
            Stop-TestLibtorrentPeer $script:Far.Seeder
            Get-Torrent -Name 'far.bin' -ErrorAction SilentlyContinue | Remove-Torrent -Confirm:$false
        }

        It 'is listed by Get-Torrent in a thread job, and Stop-Torrent from this runspace ends it with a Stopped result' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-far'
            $command = Start-TestRunspaceCommand "Start-TorrentDownload -Path '$($Far.Torrent.Path)' -Destination '$destination' -Peer '$($Far.Seeder.EndPoint.Text)'"
            Wait-TestCondition -What 'the download is under way' { (Get-Torrent -Name 'far.bin' -ErrorAction SilentlyContinue).Progress -gt 0 }

            $seen = Start-ThreadJob -ScriptBlock {
                Import-Module $using:ModuleManifest
                Get-Torrent -Name 'far.bin' | Select-Object Name, State, InfoHash
            } | Receive-Job -Wait -AutoRemoveJob
            $seen.Name | Should -Be 'far.bin'
            $seen.State | Should -Be 'Downloading'

            Stop-Torrent -Name 'far.bin'
            $result = Wait-TestRunspaceCommand $command -TimeoutSec 20
            $command.PowerShell.Dispose()

            $result | Should -HaveCount 1
            $result[0].State | Should -Be 'Stopped'
            $torrent = Get-Torrent -Name 'far.bin'
            $torrent.State | Should -Be 'Stopped'
            $torrent.Progress | Should -BeGreaterThan 0
            $torrent.Peers | Should -Be 0
        }
    }

    Context 'Torrents as PowerShell jobs (-AsJob)' {
        BeforeAll {
            $script:Jobbed = New-TestSwarm -Name 'jobbed.bin'
            $script:Halted = New-TestSwarm -Name 'halted.bin'
        }

        AfterAll {
            Stop-TestLibtorrentPeer $script:Jobbed.Seeder
            Stop-TestLibtorrentPeer $script:Halted.Seeder
            Get-Torrent -Name 'jobbed.bin', 'halted.bin' -ErrorAction SilentlyContinue | Remove-Torrent -Confirm:$false
        }

        It 'returns a TorrentJob at once that Get-Job, Suspend-Job, Resume-Job, Wait-Job, Receive-Job and Remove-Job work on' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-jobbed'

            $job = Start-TorrentDownload -Path $Jobbed.Torrent.Path -Destination $destination -Peer $Jobbed.Seeder.EndPoint.Text -AsJob

            $job | Should -BeOfType ([TorrentPS.Jobs.TorrentJob])
            $job.PSJobTypeName | Should -Be 'TorrentJob'
            (Get-Job -Id $job.Id).InstanceId | Should -Be $job.InstanceId
            (Get-Job -Name 'jobbed.bin').Id | Should -Be $job.Id
            $job.Torrent.Name | Should -Be 'jobbed.bin'
            (Get-Torrent -Name 'jobbed.bin') | Should -Be $job.Torrent
            Wait-TestCondition -What 'the job downloads' { $job.Torrent.Progress -gt 0 }
            $job.StatusMessage | Should -Match '^\d+% .+/s \d+ peers?$'

            # Suspend-Job and Resume-Job exist in Windows PowerShell 7 only; elsewhere the job's own methods, which they call.
            if (Get-Command Suspend-Job -ErrorAction SilentlyContinue) { Suspend-Job $job | Out-Null } else { $job.SuspendJob() }
            $job.State | Should -Be 'Suspended'
            $job.Torrent.State | Should -Be 'Paused'
            if (Get-Command Resume-Job -ErrorAction SilentlyContinue) { Resume-Job $job | Out-Null } else { $job.ResumeJob() }
            $job.State | Should -Be 'Running'
            $job | Wait-Job -Timeout 60 | Out-Null

            $job.State | Should -Be 'Completed'
            $job.Progress.Count | Should -BeGreaterThan 0
            $result = Receive-Job $job
            $result | Should -BeOfType ([TorrentPS.Engine.Session.DownloadResult])
            $result.State | Should -Be 'Completed'
            $result.DataPath | Should -Be $destination
            Get-TestHash (Join-Path $destination 'jobbed.bin') | Should -Be (Get-TestHash (Join-Path $Jobbed.Data 'jobbed.bin'))
            Remove-Job $job
            Get-Job -Id $job.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            (Get-Torrent -Name 'jobbed.bin').State | Should -Be 'Completed'
            Test-Path -LiteralPath (Join-Path (Get-TorrentSession).StatePath 'resume' "$($Jobbed.Torrent.InfoHash).resume") | Should -BeTrue
        }

        It 'stops the torrent on Stop-Job, its result Stopped, and a foreground start of the same torrent that attached to it ends too' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-halted'
            $job = Start-TorrentDownload -Path $Halted.Torrent.Path -Destination $destination -Peer $Halted.Seeder.EndPoint.Text -AsJob
            Wait-TestCondition -What 'the job downloads' { $job.Torrent.Progress -gt 0 }
            $attached = Start-TestRunspaceCommand "Start-TorrentDownload -Path '$($Halted.Torrent.Path)' -Destination '$destination' -Verbose"
            Wait-TestCondition -What 'the foreground command attached' { $attached.PowerShell.Streams.Verbose.Message -like '*the session runs it already*' }

            Stop-Job $job
            $foreground = Wait-TestRunspaceCommand $attached -TimeoutSec 20
            $attached.PowerShell.Dispose()

            $job.State | Should -Be 'Stopped'
            (Receive-Job $job).State | Should -Be 'Stopped'
            $foreground.State | Should -Be 'Stopped'
            (Get-Torrent -Name 'halted.bin').State | Should -Be 'Stopped'
            Remove-Job $job
        }
    }

    Context 'Suspend and resume' {
        BeforeAll {
            $script:Paused = New-TestSwarm -Name 'paused.bin'
            $script:Ticking = New-TestSwarm -Name 'ticking.bin' -Rate 100000
        }

        AfterAll {
            Stop-TestLibtorrentPeer $script:Paused.Seeder
            Stop-TestLibtorrentPeer $script:Ticking.Seeder
            Get-Torrent -Name 'paused.bin', 'ticking.bin' -ErrorAction SilentlyContinue | Remove-Torrent -Confirm:$false
        }

        It 'moves no byte while suspended (the engine''s counters over several ticks), then continues from its resume data' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-paused'
            $command = Start-TestRunspaceCommand "Start-TorrentDownload -Path '$($Paused.Torrent.Path)' -Destination '$destination' -Peer '$($Paused.Seeder.EndPoint.Text)'"
            $ticking = Start-TestRunspaceCommand "Start-TorrentDownload -Path '$($Ticking.Torrent.Path)' -Destination '$destination' -Peer '$($Ticking.Seeder.EndPoint.Text)'"
            Wait-TestCondition -What 'both downloads are under way' { (Get-Torrent -Name 'paused.bin' -ErrorAction SilentlyContinue).Progress -ge 10 -and (Get-Torrent -Name 'ticking.bin' -ErrorAction SilentlyContinue).State -eq 'Downloading' }

            $torrent = Get-Torrent -Name 'paused.bin' | Suspend-Torrent -PassThru
            $foreground = Wait-TestRunspaceCommand $command -TimeoutSec 20
            $command.PowerShell.Dispose()

            $foreground.State | Should -Be 'Paused'
            $torrent.State | Should -Be 'Paused'
            $downloaded = $torrent.Downloaded
            $downloaded | Should -BeGreaterThan 0
            Wait-TestTicks (Get-Torrent -Name 'ticking.bin') -Count 4
            $torrent.Downloaded | Should -Be $downloaded
            $torrent.Peers | Should -Be 0
            $torrent.IsRunning | Should -BeFalse
            (Get-TorrentSession).RunningCount | Should -Be 1

            $torrent | Resume-Torrent
            $done = Wait-Torrent -Torrent $torrent -State Completed -TimeoutSec 60

            $done.State | Should -Be 'Completed'
            $torrent.LastResult.Downloaded | Should -BeLessThan $Paused.Length
            Get-TestHash (Join-Path $destination 'paused.bin') | Should -Be (Get-TestHash (Join-Path $Paused.Data 'paused.bin'))
            Stop-Torrent -Name 'ticking.bin'
            Wait-TestRunspaceCommand $ticking -TimeoutSec 20 | Out-Null
            $ticking.PowerShell.Dispose()
        }
    }

    Context 'What Ctrl+C leaves' {
        BeforeAll {
            $script:Cut = New-TestSwarm -Name 'cut.bin'
        }

        AfterAll {
            Stop-TestLibtorrentPeer $script:Cut.Seeder
            Get-Torrent -Name 'cut.bin' -ErrorAction SilentlyContinue | Remove-Torrent -Confirm:$false
        }

        It 'leaves the stopped torrent listed with its progress, and Resume-Torrent continues it' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-cut'
            $command = Start-TestRunspaceCommand "Start-TorrentDownload -Path '$($Cut.Torrent.Path)' -Destination '$destination' -Peer '$($Cut.Seeder.EndPoint.Text)'"
            Wait-TestCondition -What 'the download is under way' { (Get-Torrent -Name 'cut.bin' -ErrorAction SilentlyContinue).Progress -gt 0 }

            $command.PowerShell.Stop()
            $command.PowerShell.Dispose()

            $torrent = Get-Torrent -Name 'cut.bin'
            $torrent.State | Should -Be 'Stopped'
            $torrent.Progress | Should -BeGreaterThan 0
            $torrent.LastResult.State | Should -Be 'Stopped'
            $torrent | Resume-Torrent
            (Wait-Torrent -Torrent $torrent -State Completed -TimeoutSec 60).State | Should -Be 'Completed'
        }

        It 'tells the host how far it got and what it uploaded (a stopped pipeline takes no more output)' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $cut2 = New-TestSwarm -Name 'cut2.bin'
            try {
                $destination = Join-Path $TestDrive 'dl-cut2'
                $script = "Import-Module '$($script:ModuleManifest)'; Start-TorrentDownload -Path '$($cut2.Torrent.Path)' -Destination '$destination' -Peer '$($cut2.Seeder.EndPoint.Text)'"
                $info = [System.Diagnostics.ProcessStartInfo]::new((Join-Path $PSHOME 'pwsh'), @('-NoProfile', '-NonInteractive', '-Command', $script))
                $info.RedirectStandardOutput = $true
                $info.RedirectStandardError = $true
                $info.Environment['TORRENTPS_STATE'] = Join-Path $TestDrive 'state-cut2'
                $child = [System.Diagnostics.Process]::Start($info)
                $stdout = $child.StandardOutput.ReadToEndAsync()
                $stderr = $child.StandardError.ReadToEndAsync()
                Wait-TestCondition -What 'the child downloaded a piece' { (Test-Path -LiteralPath (Join-Path $destination 'cut2.bin')) -and (Get-Item -LiteralPath (Join-Path $destination 'cut2.bin')).Length -gt 0 }
                & kill -INT $child.Id
                $child.WaitForExit(20000) | Should -BeTrue
                $text = $stdout.Result + $stderr.Result
                $text | Should -Match 'cut2\.bin: Stopped with \d+ of \d+ pieces .*downloaded and .* uploaded in this run'
            }
            finally {
                if ($child -and -not $child.HasExited) { $child.Kill($true) }
                Stop-TestLibtorrentPeer $cut2.Seeder
            }
        }
    }

    Context 'Remove-Torrent' {
        BeforeAll {
            $script:Gone = New-TestSwarm -Name 'gone.bin' -Length 200KB -Rate 0
        }

        AfterAll {
            Stop-TestLibtorrentPeer $script:Gone.Seeder
        }

        It 'asks nothing without -DeleteData, shows -WhatIf, and with -Confirm:$false deletes the data and forgets the torrent' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $destination = Join-Path $TestDrive 'dl-gone'
            (Start-TorrentDownload -Path $Gone.Torrent.Path -Destination $destination -Peer $Gone.Seeder.EndPoint.Text -TimeoutSec 30).State | Should -Be 'Completed'
            $file = Join-Path $destination 'gone.bin'

            Remove-Torrent -Name 'gone.bin' -DeleteData -WhatIf
            Get-Torrent -Name 'gone.bin' | Should -Not -BeNullOrEmpty
            Test-Path -LiteralPath $file | Should -BeTrue

            Get-Torrent -Name 'gone.bin' | Remove-Torrent -DeleteData -Confirm:$false

            Get-Torrent -Name 'gone.bin' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Test-Path -LiteralPath $file | Should -BeFalse
            Test-Path -LiteralPath (Join-Path $destination '.torrentps' "$($Gone.Torrent.InfoHash).resume") | Should -BeFalse
        }
    }

    Context 'Saved state, read by a second process' {
        BeforeAll {
            $script:Kept = New-TestSwarm -Name 'kept.bin'
        }

        AfterAll {
            Stop-TestLibtorrentPeer $script:Kept.Seeder
        }

        It 'lists what a pwsh that exited left (Stopped, with its progress) and Resume-Torrent continues it' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            $state = Join-Path $TestDrive 'state-kept'
            $destination = Join-Path $TestDrive 'dl-kept'
            $pwsh = Join-Path $PSHOME 'pwsh'
            $first = @"
Import-Module '$($script:ModuleManifest)' -ErrorAction Stop
`$job = Start-ThreadJob { Import-Module '$($script:ModuleManifest)'; Start-TorrentDownload -Path '$($Kept.Torrent.Path)' -Destination '$destination' -Peer '$($Kept.Seeder.EndPoint.Text)' }
while ((Get-Torrent -Name 'kept.bin' -ErrorAction SilentlyContinue).Progress -lt 10) { Start-Sleep -Milliseconds 50 }
exit 0
"@
            $second = @"
Import-Module '$($script:ModuleManifest)' -ErrorAction Stop
`$before = Get-Torrent -Name 'kept.bin' | Select-Object Name, State, Progress, IsRunning
Get-Torrent -Name 'kept.bin' | Resume-Torrent
`$after = Wait-Torrent -Name 'kept.bin' -State Completed -TimeoutSec 60 | Select-Object Name, State, Progress
[pscustomobject]@{ Before = `$before; After = `$after } | ConvertTo-Json -Depth 3 -EnumsAsStrings
"@
            $saved = $env:TORRENTPS_STATE
            try {
                $env:TORRENTPS_STATE = $state
                & $pwsh -NoProfile -NonInteractive -Command $first
                $LASTEXITCODE | Should -Be 0
                Test-Path -LiteralPath (Join-Path $state 'torrents.json') | Should -BeTrue
                $json = & $pwsh -NoProfile -NonInteractive -Command $second | Out-String
            }
            finally { $env:TORRENTPS_STATE = $saved }

            $report = $json | ConvertFrom-Json
            $report.Before.State | Should -Be 'Stopped'
            $report.Before.Progress | Should -BeGreaterOrEqual 10
            $report.Before.IsRunning | Should -BeFalse
            $report.After.State | Should -Be 'Completed'
            Get-TestHash (Join-Path $destination 'kept.bin') | Should -Be (Get-TestHash (Join-Path $Kept.Data 'kept.bin'))
        }
    }

    Context 'A seeder that comes after Start-TorrentDownload' {
        BeforeAll {
            if (-not (Get-Command opentracker -ErrorAction SilentlyContinue)) { $script:TrackerMissing = 'opentracker is not installed'; return }
            $script:TrackerMissing = $null
            $address = Get-TestLoopbackAddress
            $port = Get-TestFreePort $address
            $script:LateSwarm = New-TestSwarm -Name 'late.bin' -Length 2MB -Announce "http://${address}:$port/announce" -NoSeeder
            $script:LateTracker = Start-TestOpenTracker -InfoHash $LateSwarm.Torrent.InfoHash -Address $address -Port $port
        }

        AfterAll {
            Stop-TestOpenTracker $script:LateTracker
            Stop-TestLibtorrentPeer $script:LateSeeder
            Get-Torrent -Name 'late.bin' -ErrorAction SilentlyContinue | Remove-Torrent -Confirm:$false
        }

        It 'reaches the waiting download through the tracker within seconds of its own announce' {
            if ($LibtorrentMissing) { Set-ItResult -Skipped -Because $LibtorrentMissing; return }
            if ($TrackerMissing) { Set-ItResult -Skipped -Because $TrackerMissing; return }
            $destination = Join-Path $TestDrive 'dl-late'
            $command = Start-TestRunspaceCommand "Start-TorrentDownload -Path '$($LateSwarm.Torrent.Path)' -Destination '$destination' -TimeoutSec 120"
            Wait-TestCondition -What 'the session listens' { (Get-TorrentSession).ListenPort -gt 0 }
            $port = (Get-TorrentSession).ListenPort
            Wait-TestCondition -What "the tracker lists 127.0.0.1:$port" { (Get-TestTrackerPeer $LateTracker $LateSwarm.Torrent.InfoHash) -contains "127.0.0.1:$port" }

            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $script:LateSeeder = Start-TestLibtorrentPeer -Torrent $LateSwarm.Torrent.Path -SavePath $LateSwarm.Data
            $result = Wait-TestRunspaceCommand $command -TimeoutSec 60
            $command.PowerShell.Dispose()

            $result.State | Should -Be 'Completed'
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 20
            Get-TestHash (Join-Path $destination 'late.bin') | Should -Be (Get-TestHash (Join-Path $LateSwarm.Data 'late.bin'))
        }
    }
}
