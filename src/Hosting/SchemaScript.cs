using System.Reflection;

namespace Collab.Hosting;

/// <summary>A versioned schema script embedded in this assembly, named <c>NNNN_description.sql</c>.</summary>
public sealed record SchemaScript(int Version, string Name, string Sql)
{
    public static IReadOnlyList<SchemaScript> Load(string prefix)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var scripts = new List<SchemaScript>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var name = resource[prefix.Length..];
            var version = int.Parse(name[..name.IndexOf('_', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts.Add(new SchemaScript(version, name, reader.ReadToEnd()));
        }

        return scripts.OrderBy(s => s.Version).ToList();
    }
}
