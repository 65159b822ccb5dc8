using TorrentPS.Conversion;

namespace TorrentPS.Module.Tests.Conversion;

/// <summary>The stub PowerShell assembly here cannot build PSObjects with members, so only the pass-through is testable.</summary>
public class PSObjectAdapterTests
{
    [Theory]
    [InlineData(5)]
    [InlineData("text")]
    [InlineData(null)]
    public void Plain_values_pass_through_unchanged(object? value)
        => Assert.Equal(value, PSObjectAdapter.Instance.Adapt(value));

    [Fact]
    public void Containers_pass_through_so_the_converter_walks_them()
    {
        var table = new System.Collections.Hashtable { ["k"] = 1 };
        Assert.Same(table, PSObjectAdapter.Instance.Adapt(table));
    }
}
