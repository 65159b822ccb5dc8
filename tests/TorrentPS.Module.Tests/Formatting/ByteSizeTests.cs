using TorrentPS.Formatting;

namespace TorrentPS.Module.Tests.Formatting;

public class ByteSizeTests
{
    [Theory]
    [InlineData(0L, "0 B")]
    [InlineData(1L, "1 B")]
    [InlineData(1023L, "1023 B")]
    [InlineData(1024L, "1.00 KiB")]
    [InlineData(1536L, "1.50 KiB")]
    [InlineData(12_900_000L, "12.3 MiB")]
    [InlineData(734_003_200L, "700 MiB")]
    [InlineData(1_048_575L, "1.00 MiB")]
    [InlineData(5L * 1024 * 1024 * 1024, "5.00 GiB")]
    [InlineData(long.MaxValue, "8.00 EiB")]
    [InlineData(-2048L, "-2.00 KiB")]
    public void Formats_three_significant_digits_in_binary_units(long bytes, string expected)
        => Assert.Equal(expected, ByteSize.Format(bytes));

    [Fact]
    public void Rates_carry_a_per_second_unit_and_never_go_negative()
    {
        Assert.Equal("1.20 MiB/s", ByteSize.FormatRate(1.2 * 1024 * 1024));
        Assert.Equal("0 B/s", ByteSize.FormatRate(-5));
        Assert.Equal("0 B/s", ByteSize.FormatRate(double.NaN));
    }

    [Fact]
    public void Formatting_ignores_the_current_culture()
    {
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal("1.50 KiB", ByteSize.Format(1536));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }
}
