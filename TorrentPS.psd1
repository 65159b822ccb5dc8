@{
    RootModule             = 'TorrentPS.dll'
    ModuleVersion          = '0.1.0'
    GUID                   = '6f0d3c8e-5b1a-4c52-9a77-2e4b8d1f0a93'
    Author                 = 'TorrentPS contributors'
    CompanyName            = 'TorrentPS'
    Copyright              = '(c) TorrentPS contributors. MIT License.'
    Description            = 'A BitTorrent client for PowerShell: read torrents and magnet links, convert bencode, ask HTTP and UDP trackers for peers and handshake with peers, as typed pipeline objects.'
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
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('BitTorrent', 'Torrent', 'Magnet', 'P2P', 'Bencode', 'Tracker', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            LicenseUri   = 'https://github.com/torrentps/TorrentPS/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/torrentps/TorrentPS'
            ReleaseNotes = 'First release: bencode, torrent and magnet-link inspection, HTTP and UDP trackers, peer handshakes.'
        }
    }
}
