# Dot-sourced by tests that need .torrent files: builds them with ConvertTo-Bencode (no external tools).
# Requires the module to be imported first (dot-source common.ps1 before this file).

function Get-TestPieceHashes {
    # The concatenated SHA-1 of every piece of $Data.
    param([byte[]] $Data, [int] $PieceLength)
    $sha1 = [System.Security.Cryptography.SHA1]::Create()
    try {
        $hashes = [System.IO.MemoryStream]::new()
        for ($offset = 0; $offset -lt $Data.Length; $offset += $PieceLength) {
            $length = [Math]::Min($PieceLength, $Data.Length - $offset)
            $hash = $sha1.ComputeHash($Data, $offset, $length)
            $hashes.Write($hash, 0, $hash.Length)
        }
        , $hashes.ToArray()
    }
    finally {
        $sha1.Dispose()
    }
}

function New-TestTorrent {
    <#
    .SYNOPSIS
    Writes a valid .torrent file and returns an object with its path, metainfo dictionary and expected info hash.
    .PARAMETER Files
    For a multi-file torrent: hashtables @{ Path = 'dir/name.txt'; Content = [byte[]] }.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Path,
        [string] $Name = 'hello.txt',
        [byte[]] $Content = [System.Text.Encoding]::UTF8.GetBytes("hello, torrent`n"),
        [hashtable[]] $Files,
        [int] $PieceLength = 32768,
        [string] $Announce = 'http://127.0.0.1:6969/announce',
        [string] $Comment,
        [switch] $Private
    )

    $info = [ordered]@{}
    if ($Files) {
        $all = [System.IO.MemoryStream]::new()
        $fileList = foreach ($file in $Files) {
            $bytes = [byte[]]$file.Content
            $all.Write($bytes, 0, $bytes.Length)
            [ordered]@{ length = $bytes.Length; path = @($file.Path -split '/') }
        }
        $data = $all.ToArray()
        $info['files'] = @($fileList)
    }
    else {
        $data = $Content
        $info['length'] = $Content.Length
    }
    $info['name'] = $Name
    $info['piece length'] = $PieceLength
    $info['pieces'] = [byte[]](Get-TestPieceHashes -Data $data -PieceLength $PieceLength)
    if ($Private) { $info['private'] = 1 }

    $metainfo = [ordered]@{ announce = $Announce; info = $info }
    if ($Comment) { $metainfo['comment'] = $Comment }
    $metainfo['creation date'] = 1700000000

    $bytes = ConvertTo-Bencode -InputObject $metainfo -AsByteArray -ErrorAction Stop
    [System.IO.File]::WriteAllBytes($Path, $bytes)
    $infoBytes = ConvertTo-Bencode -InputObject $info -AsByteArray -ErrorAction Stop
    $sha1 = [System.Security.Cryptography.SHA1]::Create()
    try {
        $infoHash = [System.Convert]::ToHexString($sha1.ComputeHash($infoBytes)).ToLowerInvariant()
    }
    finally {
        $sha1.Dispose()
    }

    [pscustomobject]@{
        Path     = $Path
        Metainfo = $metainfo
        InfoHash = $infoHash
        Bytes    = $bytes
        Length   = $data.Length
    }
}
