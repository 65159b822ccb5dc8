using System.Net;
using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Dht;

namespace TorrentPS.Engine.Tests.Dht;

public sealed class QueryRateLimiterTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void One_address_gets_its_burst_then_the_steady_rate()
    {
        var limiter = new QueryRateLimiter(_clock, burstPerAddress: 10, perSecondPerAddress: 2, maxAddresses: 100, globalPerSecond: 1000);
        var address = IPAddress.Parse("127.0.0.3");

        Assert.Equal(10, Enumerable.Range(0, 50).Count(_ => limiter.TryAcquire(address)));
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(10, Enumerable.Range(0, 50).Count(_ => limiter.TryAcquire(address)));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, Enumerable.Range(0, 50).Count(_ => limiter.TryAcquire(address)));
        Assert.True(limiter.TryAcquire(IPAddress.Parse("127.0.0.4")));
    }

    [Fact]
    public void All_addresses_together_get_at_most_the_global_rate()
    {
        var limiter = new QueryRateLimiter(_clock, burstPerAddress: 10, perSecondPerAddress: 2, maxAddresses: 100_000, globalPerSecond: 100);

        var granted = Enumerable.Range(0, 5000).Count(i => limiter.TryAcquire(Address(i)));

        Assert.Equal(100, granted);
    }

    [Fact]
    public void The_address_table_stays_bounded_and_forgets_quiet_addresses()
    {
        var limiter = new QueryRateLimiter(_clock, burstPerAddress: 10, perSecondPerAddress: 2, maxAddresses: 1000, globalPerSecond: 1_000_000);

        for (var i = 0; i < 50_000; i++)
        {
            limiter.TryAcquire(Address(i));
        }

        Assert.Equal(1000, limiter.TrackedAddresses);
        // New addresses are refused while every tracked one is still within its burst...
        Assert.False(limiter.TryAcquire(Address(60_000)));
        // ...and admitted once the tracked ones went quiet long enough to refill.
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAcquire(Address(60_001)));
        Assert.InRange(limiter.TrackedAddresses, 1, 1000);
    }

    private static IPAddress Address(int n) => new([127, (byte)(3 + (n / 62500)), (byte)(n / 250 % 250), (byte)((n % 250) + 2)]);
}
