using Collab.Workshops;

namespace Collab.Tests.Workshops;

/// <summary>Presence versions, which pages compare to keep the newest, never go back, also across activations.</summary>
public sealed class PresenceVersionTests
{
    private static readonly DateTimeOffset Before = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void VersionsGrowWithinAnActivationEvenWithinOneMillisecond()
    {
        var first = PresenceVersions.Next(0, Before);
        var second = PresenceVersions.Next(first, Before);
        Assert.Equal(first + 1, second);
        Assert.True(PresenceVersions.Next(second, Before.AddMilliseconds(1)) > second);
    }

    [Fact]
    public void ANewActivationStartsAboveEverythingAnEarlierOneHandedOut()
    {
        // The earlier activation handed out a version four times a second for ten hours before a restart…
        var version = PresenceVersions.Next(0, Before);
        for (var i = 0; i < 4 * 3600 * 10; i++)
        {
            version = PresenceVersions.Next(version, Before.AddMilliseconds(250 * i));
        }

        // …the new one, starting from nothing a second later, is above it.
        var restarted = PresenceVersions.Next(0, Before.AddMilliseconds(250 * 4 * 3600 * 10).AddSeconds(1));
        Assert.True(restarted > version, $"{restarted} <= {version}");
    }

    [Fact]
    public void VersionsStayExactInJavaScript()
    {
        Assert.True(PresenceVersions.Next(0, new DateTimeOffset(2200, 1, 1, 0, 0, 0, TimeSpan.Zero)) < 1L << 53);
    }
}
