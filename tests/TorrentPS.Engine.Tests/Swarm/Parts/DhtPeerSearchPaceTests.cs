using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Tests.Swarm.Parts;

/// <summary>The pace of a torrent's DHT lookups (the loop's ticks decide), around a stand-in lookup, on a fake clock.</summary>
public sealed class DhtPeerSearchPaceTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<DateTimeOffset> _lookups = [];
    private readonly DhtPeerSearch _search;
    private int _prepared;

    public DhtPeerSearchPaceTests()
    {
        _search = new DhtPeerSearch(
            _ =>
            {
                Interlocked.Increment(ref _prepared);
                return Task.CompletedTask;
            },
            _ =>
            {
                lock (_lookups)
                {
                    _lookups.Add(_time.GetUtcNow());
                }

                return Task.FromResult("done");
            },
            _time,
            NullLogger.Instance,
            "t");
    }

    public async ValueTask DisposeAsync() => await _search.DisposeAsync();

    /// <summary>One tick of the loop, and the lookup it may have started, finished.</summary>
    private async Task TickAsync()
    {
        _search.Tick(_time.GetTimestamp());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_search.IsLookingUp)
        {
            Assert.True(DateTime.UtcNow < deadline, "the lookup never ended");
            await Task.Delay(1);
        }
    }

    /// <summary>Moves the clock in loop ticks of two seconds (an idle torrent's).</summary>
    private async Task AdvanceAsync(TimeSpan span)
    {
        for (var passed = TimeSpan.Zero; passed < span; passed += TimeSpan.FromSeconds(2))
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            await TickAsync();
        }
    }

    [Fact]
    public async Task The_first_tick_looks_up_and_left_alone_it_looks_up_again_within_15_to_30_minutes()
    {
        await TickAsync();
        Assert.Single(_lookups);

        await AdvanceAsync(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(4));
        Assert.Single(_lookups);
        await AdvanceAsync(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(4));

        Assert.Equal(2, _lookups.Count);
        Assert.InRange(_lookups[1] - _lookups[0], TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30));
        Assert.Equal(1, _prepared);
    }

    [Fact]
    public async Task Asking_for_peers_looks_up_again_but_never_within_a_minute_of_the_last_lookup()
    {
        await TickAsync();
        _search.RequestPeers();
        _search.RequestPeers();

        await AdvanceAsync(TimeSpan.FromSeconds(58));
        Assert.Single(_lookups);
        await AdvanceAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(2, _lookups.Count);
        Assert.Equal(TimeSpan.FromMinutes(1), _lookups[1] - _lookups[0]);

        // Asked once: not again at the next minute.
        await AdvanceAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(2, _lookups.Count);
        _search.RequestPeers();
        await TickAsync();
        Assert.Equal(3, _lookups.Count);
    }

    [Fact]
    public async Task A_lookup_still_running_is_never_doubled()
    {
        var release = new TaskCompletionSource<string>();
        var calls = 0;
        await using var slow = new DhtPeerSearch(_ => Task.CompletedTask, _ => { Interlocked.Increment(ref calls); return release.Task; }, _time, NullLogger.Instance, "t");
        slow.Tick(_time.GetTimestamp());
        _time.Advance(TimeSpan.FromHours(1));
        slow.RequestPeers();
        slow.Tick(_time.GetTimestamp());

        release.SetResult("done");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (slow.Lookups < 1)
        {
            Assert.True(DateTime.UtcNow < deadline);
            await Task.Delay(1);
        }

        Assert.Equal(1, calls);
    }
}
