namespace TorrentPS.Cli;

/// <summary>`tps` exit codes (help lists them: <see cref="CliApp.ExitCodes"/>).</summary>
internal static class ExitCode
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int Cancelled = 130;
}
