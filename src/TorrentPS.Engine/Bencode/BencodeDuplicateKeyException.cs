using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Bencode;

/// <summary>
/// A dictionary to be encoded holds the same key twice: bencode cannot say that. Only a dictionary decoded from
/// non-canonical input (the reader accepts duplicates, see <see cref="BencodeDictionary.HasDuplicateKeys"/>) or built
/// by hand can; the encoder refuses it rather than choose which entry to drop.
/// </summary>
internal sealed class BencodeDuplicateKeyException : TorrentPSException
{
    public BencodeDuplicateKeyException(BencodeString key)
        : base("DuplicateBencodeKey", TorrentErrorKind.InvalidArgument, $"The dictionary holds the key '{key.Text}' more than once; bencode cannot.")
        => Key = key;

    /// <summary>The key that appears more than once.</summary>
    public BencodeString Key { get; }
}
