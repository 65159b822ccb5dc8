using System.Text;
using TorrentPS.Cli.Output;
using TorrentPS.Engine.Bencode;

namespace TorrentPS.Cli.Verbs;

/// <summary>`tps decode &lt;bencoded&gt;`: prints the value as compact JSON (see <see cref="BencodeJson"/>).</summary>
internal sealed class DecodeVerb : ICliVerb
{
    public string Name => "decode";

    public string Usage => "<bencoded value>";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (arguments.Count != 1)
        {
            throw new CliUsageException(arguments.Count == 0 ? "missing the bencoded value" : "expected exactly one argument");
        }

        // The argument is text; bencode is bytes: the string lengths in it count UTF-8 bytes.
        var value = BencodeDecoder.Decode(Encoding.UTF8.GetBytes(arguments[0]));
        await stdout.WriteAsync(BencodeJson.Render(value) + "\n").ConfigureAwait(false);
        return 0;
    }
}
