using System.Security.Cryptography;
using TorrentPS.Engine.Creation;

namespace TorrentPS.Engine.Tests.Creation;

public sealed class MerkleTreeTests
{
    [Fact]
    public void A_tree_of_one_leaf_is_that_leaf()
    {
        var leaf = SHA256.HashData("x"u8);
        var root = new byte[32];
        MerkleTree.Root(leaf.ToArray(), 1, 1, new byte[32], root);
        Assert.Equal(leaf, root);
    }

    [Fact]
    public void Missing_leaves_are_zeros_and_a_missing_subtree_is_the_hash_of_its_zero_children()
    {
        var a = SHA256.HashData("a"u8);
        var b = SHA256.HashData("b"u8);
        var c = SHA256.HashData("c"u8);
        var zeros = new byte[32];
        var ab = SHA256.HashData([.. a, .. b]);
        var c0 = SHA256.HashData([.. c, .. zeros]);
        var expected = SHA256.HashData([.. ab, .. c0]);

        var root = new byte[32];
        MerkleTree.Root([.. a, .. b, .. c], 3, 4, zeros, root);
        Assert.Equal(expected, root);

        // Two leaves in a tree four wide: the right half is the pad hash of height 1.
        var pad1 = new byte[32];
        MerkleTree.PadHash(1, pad1);
        Assert.Equal(SHA256.HashData(new byte[64]), pad1);
        MerkleTree.Root([.. a, .. b], 2, 4, zeros, root);
        Assert.Equal(SHA256.HashData([.. ab, .. pad1]), root);
    }

    [Fact]
    public void Pieces_padded_with_the_pad_hash_give_the_same_root_as_all_their_blocks()
    {
        // 5 blocks in pieces of 2: the root over the piece roots (padded with z(1)) is the root over the blocks (padded with zeros).
        var blocks = Enumerable.Range(0, 5).Select(i => SHA256.HashData([(byte)i])).ToArray();
        var whole = new byte[32];
        MerkleTree.Root(blocks.SelectMany(b => b).ToArray(), 5, 8, new byte[32], whole);

        var pieces = new List<byte>();
        for (var p = 0; p < 3; p++)
        {
            var leaves = blocks.Skip(2 * p).Take(2).SelectMany(b => b).ToArray();
            var pieceRoot = new byte[32];
            MerkleTree.Root(leaves, leaves.Length / 32, 2, new byte[32], pieceRoot);
            pieces.AddRange(pieceRoot);
        }

        var pad = new byte[32];
        MerkleTree.PadHash(1, pad);
        var root = new byte[32];
        MerkleTree.Root(pieces.ToArray(), 3, 4, pad, root);
        Assert.Equal(whole, root);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(1025, 2048)]
    public void The_width_is_the_next_power_of_two(long count, int width) => Assert.Equal(width, MerkleTree.Width(count));
}
