namespace TorrentPS.Cli;

/// <summary>The command line was wrong: `tps` prints the message and the command's usage, exit code 2.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
