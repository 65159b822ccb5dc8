using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using TorrentPS.Cli.Output;
using TorrentPS.Engine.Creation;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Cli.Verbs;

/// <summary>
/// <c>tps create [-o file.torrent] [--tracker URL]... [--piece-length N] [--private] [--hybrid] &lt;path&gt;</c>: makes a
/// torrent of a file or folder (<see cref="TorrentCreator"/>: v1, or BEP 52 hybrid with <c>--hybrid</c>) and writes it to
/// <c>-o</c>, by default <c>&lt;name&gt;.torrent</c> in the current folder (as mktorrent); a file that is there is left
/// alone (exit code 1). Each <c>--tracker</c> is a tier of its own. Prints:
/// <code>
/// Created &lt;file.torrent&gt;.
/// Info Hash: &lt;40 hex digits&gt;
/// Info Hash v2: &lt;64 hex digits&gt;      (hybrid only)
/// </code>
/// Progress goes to stderr when it is a terminal; what was left out (links, empty folders) is logged there.
/// </summary>
internal sealed class CreateVerb : ICliVerb
{
    private readonly Argument<string> _path = new("path") { Description = "The file or folder to make a torrent of." };

    private readonly Option<string> _output = new("-o")
    {
        HelpName = "file.torrent",
        Description = "The .torrent file to write; <name>.torrent in the current folder by default. An existing file is not replaced.",
    };

    private readonly Option<string[]> _trackers = new("--tracker")
    {
        HelpName = "URL",
        Description = "A tracker's announce URL; repeat for more, each a tier of its own (the first is 'announce').",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private readonly Option<long?> _pieceLength = new("--piece-length")
    {
        HelpName = "bytes",
        Description = "Bytes per piece: a power of two from 16K to 256M (a K or M suffix counts in KiB or MiB). Chosen from the size by default (libtorrent's rule).",
        CustomParser = ParsePieceLength,
    };

    private readonly Option<bool> _private = new("--private") { Description = "Mark the torrent private (BEP 27): peers only from its trackers.", Arity = ArgumentArity.Zero };

    private readonly Option<bool> _hybrid = new("--hybrid") { Description = "Make a BEP 52 hybrid torrent (v1 and v2 metainfo, padded files) instead of a v1 one.", Arity = ArgumentArity.Zero };

    public CreateVerb()
    {
        _path.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("the path is empty");
            }
        });
        Command = new("create", "Makes a .torrent file of a file or folder.") { _path, _output, _trackers, _pieceLength, _private, _hybrid };
    }

    public Command Command { get; }

    public async Task<int> RunAsync(ParseResult parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var path = parsed.GetRequiredValue(_path);
        var options = new TorrentCreationOptions
        {
            TrackerTiers = (parsed.GetValue(_trackers) ?? []).Select(t => (IReadOnlyList<string>)[t]).ToArray(),
            PieceLength = parsed.GetValue(_pieceLength),
            IsPrivate = parsed.GetValue(_private),
            Version = parsed.GetValue(_hybrid) ? TorrentVersion.Hybrid : TorrentVersion.V1,
        };
        var target = parsed.GetValue(_output) is { Length: > 0 } output ? output : TorrentCreator.NameFor(path) + ".torrent";
        if (File.Exists(target))
        {
            throw new Engine.Errors.TorrentPSException("FileExists", Engine.Errors.TorrentErrorKind.ResourceExists, $"'{target}' already exists; name another file with -o.");
        }

        options = options with { OutputPath = Path.GetFullPath(target) };

        using var loggers = CliApp.CreateLoggers(stderr);
        var creator = new TorrentCreator(logger: loggers.CreateLogger<TorrentCreator>());
        var progress = CliApp.StderrIsTerminal ? new HashingLine(stderr, TorrentCreator.NameFor(path)) : null;
        CreatedTorrent created;
        try
        {
            created = await creator.CreateAsync(path, options, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            progress?.Clear();
        }

        await TorrentFileWriter.SaveAsync(created.Torrent, target, overwrite: false, cancellationToken).ConfigureAwait(false);
        await stdout.WriteLineAsync($"Created {target}.").ConfigureAwait(false);
        await stdout.WriteLineAsync($"Info Hash: {created.Torrent.Hash.Hex}").ConfigureAwait(false);
        if (created.Torrent.InfoHashV2 is { } v2)
        {
            await stdout.WriteLineAsync($"Info Hash v2: {v2}").ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>A byte count: digits, optionally followed by K or M (KiB, MiB); a power of two from 16 KiB to 256 MiB.</summary>
    private static long? ParsePieceLength(ArgumentResult result)
    {
        var text = result.Tokens is [{ Value: var value }] ? value.Trim() : string.Empty;
        var multiplier = 1L;
        if (text.Length > 0 && char.ToUpperInvariant(text[^1]) is 'K' or 'M')
        {
            multiplier = char.ToUpperInvariant(text[^1]) == 'K' ? 1024 : 1024 * 1024;
            text = text[..^1];
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= PieceLengthRule.Maximum && PieceLengthRule.IsValid(number * multiplier))
        {
            return number * multiplier;
        }

        result.AddError($"--piece-length takes a power of two from 16K to 256M, not '{string.Join(' ', result.Tokens.Select(t => t.Value))}'");
        return null;
    }

    /// <summary>
    /// The hashing's progress as one line on stderr, rewritten in place at most four times a second (only when stderr is a
    /// terminal): bytes hashed of the total, the rate. <see cref="Clear"/> ends it.
    /// </summary>
    private sealed class HashingLine(TextWriter stderr, string name) : IProgress<TorrentCreationProgress>
    {
        private readonly long _started = Stopwatch.GetTimestamp();
        private long _lastWrite = long.MinValue;
        private bool _visible;

        public void Report(TorrentCreationProgress value)
        {
            var now = Environment.TickCount64;
            if (now - Interlocked.Read(ref _lastWrite) < 250)
            {
                return;
            }

            Interlocked.Exchange(ref _lastWrite, now);
            var seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
            var rate = seconds > 0 ? (long)(value.BytesHashed / seconds) : 0;
            lock (stderr)
            {
                stderr.Write($"\r{name}: hashing {StatusLine.Size(value.BytesHashed)} of {StatusLine.Size(value.TotalBytes)} at {StatusLine.Size(rate)}/s\u001b[K");
                stderr.Flush();
                _visible = true;
            }
        }

        public void Clear()
        {
            lock (stderr)
            {
                if (_visible)
                {
                    stderr.Write("\r\u001b[K");
                    _visible = false;
                }
            }
        }
    }
}
