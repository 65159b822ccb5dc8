using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Tests.Storage;

public class FileLayoutTests
{
    [Fact]
    public void A_single_file_is_cut_into_pieces_with_a_short_last_one()
    {
        var layout = new FileLayout(16, [40]);
        Assert.Equal((3, 16, 40L), (layout.PieceCount, layout.PieceLength, layout.Length));
        Assert.Equal([16, 16, 8], Enumerable.Range(0, 3).Select(layout.GetPieceSize));
        Assert.Equal([new FileSpan(0, 32, 0, 8)], Spans(layout, 2, 0, 8));
        Assert.Equal((0, 0), layout.GetFileRange(2));
        Assert.Equal((0, 2), layout.GetPieceRange(0));
    }

    [Fact]
    public void A_piece_spanning_many_files_yields_one_span_per_file_in_order()
    {
        // Files of 5, 3 and 10 bytes in pieces of 16: piece 0 holds all of the first two and 8 bytes of the third.
        var layout = new FileLayout(16, [5, 3, 10]);
        Assert.Equal([new FileSpan(0, 0, 0, 5), new FileSpan(1, 0, 5, 3), new FileSpan(2, 0, 8, 8)], Spans(layout, 0, 0, 16));
        Assert.Equal([new FileSpan(2, 8, 0, 2)], Spans(layout, 1, 0, 2));
        Assert.Equal([new FileSpan(1, 2, 0, 1), new FileSpan(2, 0, 1, 2)], Spans(layout, 0, 7, 3));
        Assert.Equal((0, 2), layout.GetFileRange(0));
        Assert.Equal((2, 2), layout.GetFileRange(1));
        Assert.Equal((0, 1), layout.GetPieceRange(2));
    }

    [Fact]
    public void A_file_spanning_many_pieces_has_them_all_in_its_piece_range()
    {
        var layout = new FileLayout(4, [2, 13, 1]);
        Assert.Equal((0, 3), layout.GetPieceRange(1));
        Assert.Equal((3, 3), layout.GetPieceRange(2));
        Assert.Equal([new FileSpan(1, 2, 0, 4)], Spans(layout, 1, 0, 4));
    }

    [Fact]
    public void Zero_length_files_yield_no_spans_and_have_an_empty_piece_range_where_they_stand()
    {
        // [a: 0][b: 10][c: 0][d: 6][e: 0] in pieces of 8: c stands at byte 10, in piece 1; e at the very end.
        var layout = new FileLayout(8, [0, 10, 0, 6, 0]);
        Assert.Equal([new FileSpan(1, 8, 0, 2), new FileSpan(3, 0, 2, 6)], Spans(layout, 1, 0, 8));
        Assert.Equal((0, -1), layout.GetPieceRange(0));
        Assert.Equal((1, 0), layout.GetPieceRange(2));
        Assert.Equal((2, 1), layout.GetPieceRange(4));
        Assert.Equal((1, 3), layout.GetFileRange(1)); // c lies between b and d, so it is in the range
        Assert.Equal((1, 1), layout.GetFileRange(0)); // a stands before b, the first file holding bytes
        Assert.Equal(3, layout.FindFile(10));
        Assert.Equal(1, layout.FindFile(0));
    }

    [Fact]
    public void Padding_files_are_spans_too()
    {
        var layout = new FileLayout(8, [5, 3, 8], [false, true, false]);
        Assert.Equal([new FileSpan(0, 0, 0, 5), new FileSpan(1, 0, 5, 3)], Spans(layout, 0, 0, 8));
        Assert.True(layout.IsPadding(1));
    }

    [Theory]
    [InlineData(-1, 0, 1)]
    [InlineData(3, 0, 1)]
    [InlineData(0, -1, 1)]
    [InlineData(0, 0, 17)]
    [InlineData(2, 4, 5)]
    [InlineData(0, 16, 1)]
    public void Blocks_outside_their_piece_are_refused(int piece, int begin, int length)
    {
        var layout = new FileLayout(16, [40]);
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => layout.GetSpans(piece, begin, length));
    }

    [Fact]
    public void Enumerating_spans_allocates_nothing()
    {
        var layout = new FileLayout(16384, Enumerable.Range(0, 64).Select(i => (long)(1000 + (i * 37))).ToArray());
        long sum = 0;
        void Walk()
        {
            for (var piece = 0; piece < layout.PieceCount; piece++)
            {
                foreach (var span in layout.GetSpans(piece, 0, layout.GetPieceSize(piece)))
                {
                    sum += span.Length;
                }
            }
        }

        Walk();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Walk();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(2 * layout.Length, sum);
    }

    [Fact]
    public void Every_byte_of_every_piece_maps_to_exactly_one_file_offset_and_back_for_random_layouts()
    {
        var random = new Random(8);
        for (var round = 0; round < 400; round++)
        {
            var fileCount = random.Next(1, 12);
            var lengths = new long[fileCount];
            var padding = new bool[fileCount];
            for (var i = 0; i < fileCount; i++)
            {
                lengths[i] = random.Next(4) == 0 ? 0 : random.Next(1, 300);
                padding[i] = random.Next(6) == 0;
            }

            if (lengths.Sum() == 0)
            {
                lengths[random.Next(fileCount)] = random.Next(1, 300);
            }

            var layout = new FileLayout(random.Next(1, 200), lengths, padding);
            CheckLayout(layout, lengths, random);
        }
    }

    private static void CheckLayout(FileLayout layout, long[] lengths, Random random)
    {
        // Where each content byte belongs, from the file list alone.
        var owner = new List<(int File, long Offset)>();
        for (var file = 0; file < lengths.Length; file++)
        {
            for (long offset = 0; offset < lengths[file]; offset++)
            {
                owner.Add((file, offset));
            }
        }

        Assert.Equal(owner.Count, layout.Length);
        Assert.Equal((owner.Count + layout.PieceLength - 1) / layout.PieceLength, layout.PieceCount);
        var seen = new int[owner.Count];
        var piecesOfFile = Enumerable.Range(0, lengths.Length).Select(_ => new SortedSet<int>()).ToArray();
        for (var piece = 0; piece < layout.PieceCount; piece++)
        {
            var start = (long)piece * layout.PieceLength;
            var size = layout.GetPieceSize(piece);
            var expectedBuffer = 0;
            var files = new List<int>();
            foreach (var span in layout.GetSpans(piece, 0, size))
            {
                Assert.Equal(expectedBuffer, span.BufferOffset);
                Assert.True(span.Length > 0);
                files.Add(span.FileIndex);
                piecesOfFile[span.FileIndex].Add(piece);
                for (var i = 0; i < span.Length; i++)
                {
                    var content = start + span.BufferOffset + i;
                    Assert.Equal(owner[(int)content], (span.FileIndex, span.FileOffset + i));
                    Assert.Equal(span.FileIndex, layout.FindFile(content));
                    seen[content]++;
                }

                expectedBuffer += span.Length;
            }

            Assert.Equal(size, expectedBuffer);
            Assert.Equal((files[0], files[^1]), layout.GetFileRange(piece));

            // A random block of the piece maps to the same bytes as the whole piece does.
            var begin = random.Next(size);
            var length = random.Next(size - begin + 1);
            var covered = 0;
            foreach (var span in layout.GetSpans(piece, begin, length))
            {
                Assert.Equal(owner[(int)(start + begin + span.BufferOffset)], (span.FileIndex, span.FileOffset));
                covered += span.Length;
            }

            Assert.Equal(length, covered);
        }

        Assert.All(seen, count => Assert.Equal(1, count));
        for (var file = 0; file < lengths.Length; file++)
        {
            var (first, last) = layout.GetPieceRange(file);
            if (lengths[file] == 0)
            {
                Assert.Equal(first - 1, last);
                Assert.Equal((int)(layout.GetFileOffset(file) / layout.PieceLength), first);
            }
            else
            {
                Assert.Equal((piecesOfFile[file].Min, piecesOfFile[file].Max), (first, last));
                Assert.Equal(piecesOfFile[file].Count, last - first + 1);
            }
        }
    }

    private static List<FileSpan> Spans(FileLayout layout, int piece, int begin, int length)
    {
        var spans = new List<FileSpan>();
        foreach (var span in layout.GetSpans(piece, begin, length))
        {
            spans.Add(span);
        }

        return spans;
    }
}
