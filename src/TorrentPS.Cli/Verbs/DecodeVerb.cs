using System.CommandLine;
using System.Text;
using TorrentPS.Cli.Output;
using TorrentPS.Engine.Bencode;

namespace TorrentPS.Cli.Verbs;

/// <summary>`tps decode &lt;bencoded&gt;`: prints the value as compact JSON (see <see cref="BencodeJson"/>).</summary>
internal sealed class DecodeVerb : ICliVerb
{
    private readonly Argument<string> _value = new("bencoded value")
    {
        Description = "The bencoded value, e.g. d3:foo3:bar5:helloi52ee (string lengths count UTF-8 bytes).",
    };

    public DecodeVerb() => Command = new("decode", "Decodes a bencoded value and prints it as JSON.") { _value };

    public Command Command { get; }

    public async Task<int> RunAsync(ParseResult parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        // The argument is text; bencode is bytes: the string lengths in it count UTF-8 bytes.
        var value = BencodeDecoder.Decode(Encoding.UTF8.GetBytes(parsed.GetRequiredValue(_value)));
        await stdout.WriteAsync(BencodeJson.Render(value) + "\n").ConfigureAwait(false);
        return 0;
    }
}
