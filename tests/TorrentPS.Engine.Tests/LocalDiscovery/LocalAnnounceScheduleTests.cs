using TorrentPS.Engine.LocalDiscovery;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Tests.LocalDiscovery;

/// <summary>The pace of local discovery, on a clock of 1,000 ticks a second.</summary>
public sealed class LocalAnnounceScheduleTests
{
    private const long Second = 1000;
    private const long Interval = 300 * Second;

    private static InfoHash Hash(int i) => new(Enumerable.Repeat((byte)i, 20).ToArray());

    private static LocalAnnounceSchedule Schedule(int groups = 1, int maxPerDatagram = 25) => new(Interval, Second, groups, maxPerDatagram);

    private static List<InfoHash>? Take(LocalAnnounceSchedule schedule, long now, out int group)
    {
        var batch = new List<InfoHash>();
        return schedule.TryTake(now, out group, batch) ? batch : null;
    }

    private static List<InfoHash>? Take(LocalAnnounceSchedule schedule, long now) => Take(schedule, now, out _);

    [Fact]
    public void A_torrent_is_announced_at_once_and_then_once_every_five_minutes()
    {
        var schedule = Schedule();
        schedule.Add(Hash(1), 0);

        Assert.Equal([Hash(1)], Take(schedule, 0));
        Assert.Null(Take(schedule, Second));
        Assert.Equal(Interval, schedule.NextAt());
        Assert.Null(Take(schedule, Interval - 1));
        Assert.Equal([Hash(1)], Take(schedule, Interval));
    }

    [Fact]
    public void Torrents_due_together_share_one_datagram_as_far_as_they_fit()
    {
        var schedule = Schedule(maxPerDatagram: 3);
        for (var i = 0; i < 5; i++)
        {
            schedule.Add(Hash(i), 0);
        }

        Assert.Equal(3, Take(schedule, 0)!.Count);
        Assert.Null(Take(schedule, Second - 1));
        Assert.Equal(2, Take(schedule, Second)!.Count);
        Assert.Null(Take(schedule, 2 * Second));
    }

    [Fact]
    public void Datagrams_go_out_at_least_a_second_apart_whatever_group_they_go_to()
    {
        var schedule = Schedule(groups: 2);
        schedule.Add(Hash(1), 0);

        Assert.Equal([Hash(1)], Take(schedule, 0, out var first));
        Assert.Null(Take(schedule, 999));
        Assert.Equal(Second, schedule.NextAt());
        Assert.Equal([Hash(1)], Take(schedule, Second, out var second));
        Assert.Equal((0, 1), (first, second));
        Assert.Null(Take(schedule, 10 * Second));
    }

    [Fact]
    public void A_torrent_added_while_another_was_just_sent_waits_for_the_next_second()
    {
        var schedule = Schedule();
        schedule.Add(Hash(1), 0);
        Take(schedule, 0);

        schedule.Add(Hash(2), 100);

        Assert.Null(Take(schedule, 100));
        Assert.Equal(Second, schedule.NextAt());
        Assert.Equal([Hash(2)], Take(schedule, Second));
    }

    [Fact]
    public void A_torrent_removed_and_added_again_waits_out_its_five_minutes()
    {
        var schedule = Schedule();
        schedule.Add(Hash(1), 0);
        Take(schedule, 0);

        schedule.Remove(Hash(1));
        schedule.Add(Hash(1), 10 * Second);

        Assert.Null(Take(schedule, 10 * Second));
        Assert.Equal(Interval, schedule.NextAt());
        Assert.Equal([Hash(1)], Take(schedule, Interval));
    }

    [Fact]
    public void A_removed_torrent_is_no_longer_announced()
    {
        var schedule = Schedule();
        schedule.Add(Hash(1), 0);
        Take(schedule, 0);

        schedule.Remove(Hash(1));

        Assert.Null(schedule.NextAt());
        Assert.Null(Take(schedule, 10 * Interval));
    }

    [Fact]
    public void A_hundred_torrents_take_a_datagram_a_second_and_each_comes_once_in_five_minutes()
    {
        var schedule = Schedule(maxPerDatagram: 25);
        for (var i = 0; i < 100; i++)
        {
            schedule.Add(Hash(i), 0);
        }

        var counts = new Dictionary<InfoHash, int>();
        var sentAt = new List<long>();
        for (var now = 0L; now < Interval; now += 100)
        {
            if (Take(schedule, now) is { } batch)
            {
                sentAt.Add(now);
                batch.ForEach(h => counts[h] = counts.GetValueOrDefault(h) + 1);
            }
        }

        Assert.Equal([0, Second, 2 * Second, 3 * Second], sentAt);
        Assert.Equal(100, counts.Count);
        Assert.All(counts.Values, c => Assert.Equal(1, c));
    }
}
