using System.Text.Json;

namespace Collab.IntegrationTests.Processes;

/// <summary>
/// The runtime settings the web node and the silo ship with, as their built runtime configs carry them: chosen by
/// measurement (docs/performance.md, "Tiered PGO" and "Thread-pool spin-waiting"), so dropping one by accident must fail here rather than show up as a
/// server that costs twice the CPU per op for its first minutes under load.
/// </summary>
public sealed class RuntimeSettingsTests
{
    [Theory]
    [InlineData("Collab.Web")]
    [InlineData("Collab.Silo")]
    public void TheServersRunWithServerGcWithoutDynamicPgoAndWithoutThreadPoolSpinWaiting(string assembly)
    {
        var path = Path.Combine(AppContext.BaseDirectory, $"{assembly}.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.False(properties.GetProperty("System.Runtime.TieredPGO").GetBoolean());
        Assert.Equal(0, properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
    }
}
