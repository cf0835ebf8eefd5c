using System.Reflection;

namespace Collab.IntegrationTests.Infrastructure;

/// <summary>Where the built Collab programs are, for tests that start them as separate processes.</summary>
internal static class Repo
{
    public static string Root => RepoRoot.Path;

    public static string Configuration { get; } = typeof(Repo).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;

    public static string SiloDll => Built("src/Silo", "Collab.Silo.dll");

    public static string WebDll => Built("src/Web", "Collab.Web.dll");

    private static string Built(string project, string dll)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build {project} ({Configuration}) first: {path} is missing.");
    }
}
