BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:manifest = Import-PowerShellDataFile -LiteralPath $script:ModuleManifest
}

Describe 'TorrentPS module' {
    It 'has a valid manifest' {
        { Test-ModuleManifest -Path $script:ModuleManifest -ErrorAction Stop } | Should -Not -Throw
    }

    It 'exports exactly the cmdlets its manifest lists' {
        $exported = (Get-Module TorrentPS).ExportedCmdlets.Keys | Sort-Object
        $exported | Should -Be ($manifest.CmdletsToExport | Sort-Object)
    }

    It 'exports no functions, aliases or variables' {
        (Get-Module TorrentPS).ExportedFunctions.Count | Should -Be 0
        (Get-Module TorrentPS).ExportedAliases.Count | Should -Be 0
        (Get-Module TorrentPS).ExportedVariables.Count | Should -Be 0
    }

    It 'does not ship System.Management.Automation.dll' {
        Join-Path (Split-Path $script:ModuleManifest) 'System.Management.Automation.dll' | Should -Not -Exist
    }

    It 'loads default views for <_>' -ForEach @(
        'TorrentPS.Engine.Metainfo.TorrentInfo'
        'TorrentPS.Engine.Metainfo.TorrentFile'
        'TorrentPS.Engine.Metainfo.MagnetLink'
        'TorrentPS.Engine.Metainfo.InfoHash'
    ) {
        Get-FormatData -TypeName $_ | Should -Not -BeNullOrEmpty
    }

    It 'formats sizes with the module helper' {
        [TorrentPS.Formatting.ByteSize]::Format(1536) | Should -Be '1.50 KiB'
    }
}

Describe 'InfoHash display' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestTorrents.ps1')
        $script:t = New-TestTorrent -Path (Join-Path $TestDrive 'hello.torrent')
    }

    It 'shows an info hash alone as its hex digits' {
        (Get-TorrentInfo -LiteralPath $t.Path).InfoHash | Out-String | Should -Match $t.InfoHash
    }
}
