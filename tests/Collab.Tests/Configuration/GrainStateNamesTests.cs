using System.Reflection;
using Collab.Documents;

namespace Collab.Tests.Configuration;

/// <summary>
/// Orleans' ADO.NET storage (PostgreSQL in clustered mode) keys a state by its name and the grain's key only, not by the
/// grain's type: two grain classes keyed by the same workshop id that both declared <c>[PersistentState("observers")]</c>
/// read and overwrote one row, and each failed to activate on the other's state (seen in the clustered tests, never on
/// SQLite, which keys by the whole grain id). A state name therefore belongs to one grain class.
/// </summary>
public sealed class GrainStateNamesTests
{
    [Fact]
    public void EveryPersistentStateNameBelongsToOneGrainClass()
    {
        var declared = typeof(DocumentGrain).Assembly.GetTypes()
            .Where(t => typeof(Grain).IsAssignableFrom(t) && !t.IsAbstract)
            .SelectMany(t => t.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
                .SelectMany(c => c.GetParameters())
                .Select(p => p.GetCustomAttribute<PersistentStateAttribute>())
                .OfType<PersistentStateAttribute>()
                .Select(a => (Grain: t.Name, a.StateName)))
            .Distinct()
            .ToList();

        Assert.Contains(declared, d => d.Grain == nameof(DocumentGrain) && d.StateName == "document");
        var shared = declared.GroupBy(d => d.StateName)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(d => d.Grain))}")
            .ToList();
        Assert.True(shared.Count == 0, "State names declared by more than one grain class: " + string.Join("; ", shared));
    }
}
