namespace TorrentPS.Cli.Verbs;

/// <summary>One `tps` command: prints only its answer on stdout; logs and errors go to stderr.</summary>
internal interface ICliVerb
{
    /// <summary>The command word, e.g. <c>decode</c>.</summary>
    string Name { get; }

    /// <summary>The arguments after the command word, for the usage line.</summary>
    string Usage { get; }

    /// <summary>Runs the command; returns the process exit code. Throw to report a failure.</summary>
    Task<int> RunAsync(IReadOnlyList<string> arguments, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken);
}
