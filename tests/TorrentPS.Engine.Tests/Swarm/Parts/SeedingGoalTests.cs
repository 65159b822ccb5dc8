using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Tests.Swarm.Parts;

/// <summary>When seeding ends and how far it has come, alone with a fake clock (the loop's use of it: Seeding/SeedingGoalTests).</summary>
public sealed class SeedingGoalPartTests
{
    private const long Length = 100 * 1024 * 1024;
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_ratio_goal_reports_how_far_and_the_time_left_at_the_upload_rate()
    {
        var goal = new SeedingGoal(ratio: 2, time: null, _time);
        goal.Begin(_time.GetTimestamp());

        var (done, left) = goal.Progress(_time.GetTimestamp(), uploaded: Length / 2, Length, uploadRate: 10 * 1024 * 1024);

        Assert.Equal(0.25, done);
        Assert.Equal(TimeSpan.FromSeconds(15), left);
        Assert.Null(goal.Reached(_time.GetTimestamp(), Length, Length));
        Assert.Equal("the share ratio 2 was reached", goal.Reached(_time.GetTimestamp(), 2 * Length, Length));
    }

    [Fact]
    public void A_time_goal_counts_from_when_seeding_began()
    {
        var goal = new SeedingGoal(ratio: null, time: TimeSpan.FromMinutes(1), _time);
        _time.Advance(TimeSpan.FromSeconds(30)); // downloading
        goal.Begin(_time.GetTimestamp());
        _time.Advance(TimeSpan.FromSeconds(15));

        var (done, left) = goal.Progress(_time.GetTimestamp(), 0, Length, 0);

        Assert.Equal(0.25, done);
        Assert.Equal(TimeSpan.FromSeconds(45), left);
        Assert.Null(goal.Reached(_time.GetTimestamp(), 0, Length));
        _time.Advance(TimeSpan.FromSeconds(45));
        Assert.Equal("seeded for 1:00", goal.Reached(_time.GetTimestamp(), 0, Length));
    }

    [Fact]
    public void With_both_goals_the_nearer_counts_and_the_sooner_time_left()
    {
        var goal = new SeedingGoal(ratio: 1, time: TimeSpan.FromSeconds(100), _time);
        goal.Begin(_time.GetTimestamp());
        _time.Advance(TimeSpan.FromSeconds(10));

        var (done, left) = goal.Progress(_time.GetTimestamp(), Length / 2, Length, uploadRate: Length / 100.0);

        Assert.Equal(0.5, done);
        Assert.Equal(TimeSpan.FromSeconds(50), left);
    }

    [Fact]
    public void Without_a_goal_there_is_no_progress_and_no_end()
    {
        var goal = new SeedingGoal(null, null, _time);
        goal.Begin(_time.GetTimestamp());

        Assert.False(goal.HasGoal);
        Assert.Equal((null, null), goal.Progress(_time.GetTimestamp(), Length, Length, 1000));
        Assert.Null(goal.Reached(_time.GetTimestamp(), 100 * Length, Length));
    }
}
