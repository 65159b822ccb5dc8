using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Tests.Swarm.Parts;

/// <summary>The piece ledger alone: verified bytes, blame and bans for bad data, when a save is due. A fake clock.</summary>
public sealed class PieceLedgerTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly PeerRoster _roster;
    private readonly List<string> _errors = [];
    private readonly PieceLedger _ledger;

    public PieceLedgerTests()
    {
        _roster = new PeerRoster(new RosterSettings(50, 8, Peers.PeerId.Generate(), _ => false), new RecordingDialer(), new CountingBudget(), new PeerOutbox(), _ => { }, _time, NullLogger.Instance, "t");
        _ledger = new PieceLedger(_roster, new ProgressWatchdog(_time, _time.GetTimestamp()), TimeSpan.FromSeconds(5), _errors.Add, _time, NullLogger.Instance, "t");
    }

    private PartsTorrent Begin(Bitfield? have = null)
    {
        var torrent = new PartsTorrent(pieces: 8, have: have);
        _ledger.Begin(torrent.Picker, torrent.Context, torrent.Have, worthSaving: false);
        return torrent;
    }

    [Fact]
    public void Verified_bytes_count_the_wanted_pieces_once_each()
    {
        var have = new Bitfield(8);
        have[0] = true;
        var torrent = Begin(have);
        Assert.Equal((torrent.Info.Length, torrent.Info.PieceLength), (_ledger.WantedBytes, _ledger.VerifiedWantedBytes));

        Assert.True(_ledger.OnVerified(3));
        Assert.False(_ledger.OnVerified(3));
        Assert.False(_ledger.OnVerified(0));

        Assert.Equal(2 * torrent.Info.PieceLength, _ledger.VerifiedWantedBytes);
        Assert.Equal(2, _ledger.VerifiedPieces);
        Assert.True(torrent.Context.Verified.Contains(3));
    }

    [Fact]
    public void A_peer_that_alone_broke_two_pieces_is_banned_and_one_that_shared_the_blame_needs_four()
    {
        Begin();
        var liar = new RecordingLink(outgoing: false);
        var sharer = new RecordingLink(outgoing: false);
        var other = new RecordingLink(outgoing: false);
        _roster.Admit(liar, stopping: false);
        _roster.Admit(sharer, stopping: false);
        _roster.Admit(other, stopping: false);

        _ledger.OnFailed(1, [liar.Id]);
        Assert.Null(liar.ClosedFor);
        _ledger.OnFailed(2, [liar.Id]);
        Assert.Contains("failed the hash check", liar.ClosedFor);

        for (var piece = 3; piece < 6; piece++)
        {
            _ledger.OnFailed(piece, [sharer.Id, other.Id]);
        }

        Assert.Null(sharer.ClosedFor);
        _ledger.OnFailed(6, [sharer.Id, other.Id]);
        Assert.NotNull(sharer.ClosedFor);
        Assert.Equal(6, _ledger.HashFailures);
        Assert.Contains("piece 6 failed its hash check", _errors);
    }

    [Fact]
    public void A_save_is_due_once_the_interval_passed_since_the_last_and_only_when_something_was_verified()
    {
        Begin();
        Assert.Null(_ledger.TakeCheckpoint(_time.GetTimestamp()));

        _ledger.OnVerified(2);
        var first = _ledger.TakeCheckpoint(_time.GetTimestamp());
        Assert.True(first![2]);

        _ledger.OnVerified(4);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Null(_ledger.TakeCheckpoint(_time.GetTimestamp()));
        Assert.NotNull(_ledger.TakeCheckpoint(_time.GetTimestamp(), force: true));

        _ledger.OnVerified(5);
        _time.Advance(TimeSpan.FromSeconds(5));
        var later = _ledger.TakeCheckpoint(_time.GetTimestamp());
        Assert.Equal(3, later!.Count);
    }

    [Fact]
    public void Pieces_found_at_the_check_or_fetched_metadata_are_worth_a_first_save()
    {
        var torrent = new PartsTorrent(pieces: 8);
        _ledger.Begin(torrent.Picker, torrent.Context, torrent.Have, worthSaving: true);

        Assert.NotNull(_ledger.TakeCheckpoint(_time.GetTimestamp()));
    }
}
