using System.Text;

namespace TorrentPS.Cli.Output;

/// <summary>
/// Lines for stdout gathered in a chunk of bounded size and written a chunk at a time: output of any length in
/// constant memory and few writes, with the token checked between chunks.
/// </summary>
internal sealed class ChunkedOutput(TextWriter writer, CancellationToken cancellationToken)
{
    private const int ChunkChars = 64 * 1024;
    private const string HexDigits = "0123456789abcdef";
    private readonly StringBuilder _chunk = new(ChunkChars + 1024);

    public ValueTask Line(string text) => Append(text, null, null);

    public ValueTask Line(string first, string second) => Append(first, second, null);

    public ValueTask Line(string first, string second, string third) => Append(first, second, third);

    /// <summary>One line of lowercase hex.</summary>
    public ValueTask HexLine(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            _chunk.Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xf]);
        }

        _chunk.Append('\n');
        return _chunk.Length >= ChunkChars ? new ValueTask(FlushAsync()) : ValueTask.CompletedTask;
    }

    public async Task FlushAsync()
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_chunk.Length > 0)
        {
            await writer.WriteAsync(_chunk, cancellationToken).ConfigureAwait(false);
            _chunk.Clear();
        }

        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private ValueTask Append(string first, string? second, string? third)
    {
        _chunk.Append(first).Append(second).Append(third).Append('\n');
        return _chunk.Length >= ChunkChars ? new ValueTask(FlushAsync()) : ValueTask.CompletedTask;
    }
}
