# The help users get: the MAML and about topic that build.ps1 -Task Docs compiles into the module, read back with
# Get-Help in pwsh and compared with the markdown it was written in (docs/en-US).
BeforeDiscovery {
    $repoRoot = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '..' '..')).ProviderPath
    $script:cmdlets = (Import-PowerShellDataFile -LiteralPath (Join-Path $repoRoot 'TorrentPS.psd1')).CmdletsToExport
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:ModuleFolder = Split-Path $script:ModuleManifest
    $script:Docs = Join-Path $script:RepoRoot 'docs' 'en-US'

    function Compress-Space([string] $Text) { ($Text -replace '\s+', ' ').Trim() }

    # The parts of a PlatyPS cmdlet page the tests compare: synopsis, description, each parameter's description.
    function Read-HelpPage([string] $Name) {
        $text = Get-Content -LiteralPath (Join-Path $script:Docs "$Name.md") -Raw
        $sections = @{}
        foreach ($match in [regex]::Matches($text, '(?ms)^## (?<name>[A-Z ]+)\r?\n(?<body>.*?)(?=^## |\z)')) {
            $sections[$match.Groups['name'].Value.Trim()] = $match.Groups['body'].Value
        }
        $parameters = @{}
        foreach ($match in [regex]::Matches($sections['PARAMETERS'], '(?ms)^### -(?<name>\w+)\r?\n(?<body>.*?)^```yaml')) {
            $parameters[$match.Groups['name'].Value] = Compress-Space $match.Groups['body'].Value
        }
        [pscustomobject]@{
            Synopsis    = Compress-Space $sections['SYNOPSIS']
            Description = Compress-Space $sections['DESCRIPTION']
            Parameters  = $parameters
        }
    }
}

Describe 'The built module folder' {
    It 'carries the compiled help <_>' -ForEach 'TorrentPS.dll-Help.xml', 'about_TorrentPS.help.txt' {
        Join-Path $ModuleFolder 'en-US' $_ | Should -Exist
    }

    It 'carries the LICENSE the manifest points at, and no symbol files' {
        Join-Path $ModuleFolder 'LICENSE' | Should -Exist
        (Get-Module TorrentPS).LicenseUri.AbsoluteUri | Should -BeLike '*/LICENSE'
        Get-ChildItem -LiteralPath $ModuleFolder -Filter '*.pdb' -Recurse | Should -BeNullOrEmpty
    }
}

Describe 'Get-Help <_> -Full' -ForEach $cmdlets {
    BeforeAll {
        $script:name = $_
        $script:help = Get-Help -Name $name -Full
        $script:page = Read-HelpPage $name
    }

    It 'shows the written synopsis' {
        Compress-Space $help.Synopsis | Should -Be $page.Synopsis
    }

    It 'shows the written description' {
        Compress-Space ($help.description.Text -join ' ') | Should -Be $page.Description
    }

    It 'describes every parameter as written' {
        $parameters = (Get-Command $name).Parameters.Values | Where-Object { $_.Name -notin [System.Management.Automation.PSCmdlet]::CommonParameters }
        foreach ($parameter in $parameters) {
            $shown = $help.parameters.parameter | Where-Object name -eq $parameter.Name
            $shown | Should -Not -BeNullOrEmpty -Because "-$($parameter.Name) is a parameter of $name"
            Compress-Space ($shown.description.Text -join ' ') | Should -Be $page.Parameters[$parameter.Name] -Because "-$($parameter.Name) has a written description"
        }
    }

    It 'has at least two examples, each at a PS> prompt' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $example.code | Should -Match '^PS> ' -Because $example.title
        }
    }

    It 'links to its page online' {
        $online = $help.relatedLinks.navigationLink | Where-Object linkText -eq 'Online Version:'
        $online.uri | Should -Be "$((Get-Module TorrentPS).ProjectUri.AbsoluteUri.TrimEnd('/'))/blob/main/docs/en-US/$name.md"
    }
}

Describe 'Get-Help about_TorrentPS' {
    BeforeAll {
        $script:about = Get-Help about_TorrentPS | Out-String
        $script:lines = $about -split '\r?\n'
        $script:source = Get-Content -LiteralPath (Join-Path $Docs 'about_TorrentPS.md')
    }

    It 'finds the topic' {
        $about | Should -Match '(?m)^TOPIC\s+about_torrentps'
        $about | Should -Match '(?m)^SHORT DESCRIPTION\r?\n    TorrentPS is a BitTorrent client for PowerShell'
    }

    It 'fits 80 columns' {
        $lines | Where-Object Length -gt 80 | Should -BeNullOrEmpty
    }

    It 'starts a line at the margin only for a heading of the page' {
        # PlatyPS leaves paragraphs it ran together at the margin; every line it kept in place is indented.
        $headings = $source | Where-Object { $_ -match '^#{1,2} ' } | ForEach-Object { $_ -replace '^#+ ' } |
            Where-Object { $_ -notin 'TorrentPS', 'about_TorrentPS' }
        $margin = $lines | Where-Object { $_ -match '^\S' -and $_ -notin 'TOPIC' }
        $margin | Should -Be $headings
    }

    It 'keeps markdown out of the text: no table rows, list dashes, fences or links' {
        $lines | Where-Object { $_ -match '^\s*(\||-\s*$|- |```)' -or $_ -match '\]\(' } | Should -BeNullOrEmpty
    }

    It 'separates paragraphs with a blank line' {
        $about | Should -Match '(?m)Where-Object and binding by property name\.\r?\n\r?\n    Run Get-Help'
    }

    It 'lists error id <Id> with its category on a row of its own' -ForEach @(
        @{ Id = 'InvalidBencode'; Category = 'InvalidData' }
        @{ Id = 'InvalidTorrent'; Category = 'InvalidData' }
        @{ Id = 'PathNotFound'; Category = 'ObjectNotFound' }
        @{ Id = 'TrackerFailed'; Category = 'ProtocolError' }
        @{ Id = 'PeerUnreachable'; Category = 'ConnectionError' }
        @{ Id = 'InfoHashMismatch'; Category = 'ProtocolError' }
    ) {
        $lines | Where-Object { $_ -match "^    $Id\s+$Category\s+\S" } | Should -HaveCount 1
    }

    It 'lists every exported cmdlet under SEE ALSO, one a line' {
        $seeAlso = $about.Substring($about.IndexOf("`nSEE ALSO")) -split '\r?\n' | Select-Object -Skip 2 | Where-Object { $_ -match '^    \S' } | ForEach-Object Trim
        foreach ($cmdlet in (Get-Module TorrentPS).ExportedCmdlets.Keys) {
            $seeAlso | Should -Contain $cmdlet
        }
    }
}
