using System.Net;
using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Dht;

namespace TorrentPS.Engine.Tests.Dht;

public sealed class TokenStoreTests
{
    private static readonly IPAddress Querier = IPAddress.Parse("127.0.0.7");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_token_is_accepted_from_the_address_it_was_given_to()
    {
        var tokens = new TokenStore(_clock);

        var token = tokens.Issue(Querier);

        Assert.Equal(TokenStore.TokenLength, token.Length);
        Assert.True(tokens.IsValid(token, Querier));
    }

    [Fact]
    public void A_token_from_another_address_is_refused()
    {
        var tokens = new TokenStore(_clock);

        var token = tokens.Issue(Querier);

        Assert.False(tokens.IsValid(token, IPAddress.Parse("127.0.0.8")));
    }

    [Fact]
    public void A_token_made_under_the_previous_secret_is_still_accepted()
    {
        var tokens = new TokenStore(_clock);
        var token = tokens.Issue(Querier);

        _clock.Advance(TimeSpan.FromMinutes(6));

        Assert.True(tokens.IsValid(token, Querier));
        Assert.NotEqual(token, tokens.Issue(Querier)); // the secret rotated
    }

    [Fact]
    public void A_token_two_rotations_old_is_refused()
    {
        var tokens = new TokenStore(_clock);
        var token = tokens.Issue(Querier);

        _clock.Advance(TimeSpan.FromMinutes(6));
        Assert.True(tokens.IsValid(token, Querier));
        _clock.Advance(TimeSpan.FromMinutes(5));

        Assert.False(tokens.IsValid(token, Querier));
    }

    [Fact]
    public void A_token_is_refused_after_a_long_silence_even_without_a_use_in_between()
    {
        var tokens = new TokenStore(_clock);
        var token = tokens.Issue(Querier);

        _clock.Advance(TimeSpan.FromMinutes(10));

        Assert.False(tokens.IsValid(token, Querier));
    }

    [Fact]
    public void A_token_of_another_length_or_altered_is_refused()
    {
        var tokens = new TokenStore(_clock);
        var token = tokens.Issue(Querier);
        var altered = (byte[])token.Clone();
        altered[0] ^= 1;

        Assert.False(tokens.IsValid(altered, Querier));
        Assert.False(tokens.IsValid(token.AsSpan(1), Querier));
        Assert.False(tokens.IsValid([], Querier));
    }
}
