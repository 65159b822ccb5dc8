@{
    RootModule             = 'TorrentPS.dll'
    ModuleVersion          = '0.1.0'
    GUID                   = '6f0d3c8e-5b1a-4c52-9a77-2e4b8d1f0a93'
    Author                 = 'TorrentPS contributors'
    CompanyName            = 'TorrentPS'
    Copyright              = '(c) TorrentPS contributors. MIT License.'
    Description            = 'A BitTorrent client for PowerShell: download torrents and magnet links (resumable, side by side), seed, save single pieces and check data against piece hashes; read torrents and magnet links, export .torrent files, convert bencode, ask HTTP and UDP trackers for peers and handshake with peers. Everything is a typed pipeline object.'
    CompatiblePSEditions   = @('Core')
    PowerShellVersion      = '7.4'
    RequiredAssemblies     = @()
    FormatsToProcess       = @('TorrentPS.Format.ps1xml')
    CmdletsToExport        = @(
        'ConvertFrom-Bencode'
        'ConvertTo-Bencode'
        'Get-TorrentInfo'
        'ConvertFrom-MagnetLink'
        'ConvertTo-MagnetLink'
        'Get-TorrentPeer'
        'Get-TorrentTracker'
        'Invoke-PeerHandshake'
        'Test-Torrent'
        'Start-TorrentDownload'
        'Save-TorrentPiece'
        'Start-MagnetDownload'
        'Export-Torrent'
        'Start-TorrentSeed'
        'New-Torrent'
        'Get-Torrent'
        'Suspend-Torrent'
        'Resume-Torrent'
        'Stop-Torrent'
        'Remove-Torrent'
        'Wait-Torrent'
        'Get-TorrentSession'
        'Set-TorrentSession'
        'Get-TorrentDhtNode'
        'Set-Torrent'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('BitTorrent', 'Torrent', 'Magnet', 'P2P', 'Bencode', 'Tracker', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            LicenseUri   = 'https://github.com/torrentps/TorrentPS/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/torrentps/TorrentPS'
            ReleaseNotes = 'Downloads of torrents and magnet links (Start-TorrentDownload, Start-MagnetDownload, Save-TorrentPiece) that resume after Ctrl+C, seeding (Start-TorrentSeed), data checks (Test-Torrent), .torrent export (Export-Torrent); bencode, torrent and magnet-link inspection, HTTP and UDP trackers, peer handshakes. The torrent cmdlets take -Path, -LiteralPath or -Torrent alike, magnet links included; a download result pipes on to Test-Torrent and Start-TorrentSeed. One session per process holds the torrents (Get-Torrent, Suspend-, Resume-, Stop-, Remove-, Wait-Torrent, Get-/Set-TorrentSession), listens on one port from the first torrent on, keeps them in a state folder across processes, and runs them as PowerShell jobs (-AsJob).'
        }
    }
}
