using System.Globalization;

namespace Collab.Bench;

/// <summary>Linux /proc readings: a process's CPU time and peak RSS, and the whole machine's busy time.</summary>
internal static class ProcStats
{
    // USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux this runs on.
    private const double TicksPerSecond = 100;

    /// <summary>User + system CPU seconds of a process, or null once it is gone.</summary>
    public static double? CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Peak resident set (VmHWM) in MiB, or null once the process is gone.</summary>
    public static double? PeakRssMiB(int pid) => StatusKiB(pid, "VmHWM:") / 1024.0;

    /// <summary>Resident set now (VmRSS) in KiB, or null once the process is gone.</summary>
    public static long? RssKiB(int pid) => StatusKiB(pid, "VmRSS:");

    private static long? StatusKiB(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    /// <summary>CPU seconds of every process whose command is <paramref name="command"/> (e.g. all PostgreSQL backends).</summary>
    public static double CpuSecondsOfCommand(string command)
    {
        var total = 0.0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText($"/proc/{pid}/comm").Trim() == command && CpuSeconds(pid) is { } seconds)
                {
                    total += seconds;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone or not ours to read.
            }
        }

        return total;
    }

    /// <summary>The machine's (busy, total) jiffies over all cores, from /proc/stat.</summary>
    public static (long Busy, long Total) MachineJiffies()
    {
        var line = File.ReadLines("/proc/stat").First();
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var total = values.Sum();
        var idle = values[3] + values[4]; // idle + iowait
        return (total - idle, total);
    }
}
