using System.Globalization;

namespace Collab.Tests.Operations;

/// <summary>
/// The samples of a Prometheus text exposition (what <c>GET /metrics</c> answers): <c>name{labels} value</c> per line,
/// comments skipped. Enough to compare counters before and after something happened.
/// </summary>
public sealed class PrometheusText
{
    private readonly List<(string Name, string Labels, double Value)> _samples = [];

    private PrometheusText(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            // name{labels} value [timestamp]; label values may hold spaces and braces (routes), so split after the last brace.
            var braceEnd = line.LastIndexOf('}');
            var nameEnd = braceEnd >= 0 ? line.IndexOf('{', StringComparison.Ordinal) : line.IndexOf(' ', StringComparison.Ordinal);
            var name = line[..nameEnd];
            var labels = braceEnd >= 0 ? line[(nameEnd + 1)..braceEnd] : "";
            var rest = line[((braceEnd >= 0 ? braceEnd : nameEnd) + 1)..].Trim().Split(' ')[0];
            _samples.Add((name, labels, double.Parse(rest, NumberStyles.Float, CultureInfo.InvariantCulture)));
        }
    }

    public string Raw { get; private init; } = "";

    public static PrometheusText Parse(string text) => new(text) { Raw = text };

    public bool Has(string name) => _samples.Any(s => s.Name == name);

    /// <summary>The sum of every series of <paramref name="name"/> whose labels contain <paramref name="label"/> (0 when none).</summary>
    public double Sum(string name, string? label = null) =>
        _samples.Where(s => s.Name == name && (label is null || s.Labels.Contains(label, StringComparison.Ordinal))).Sum(s => s.Value);
}
