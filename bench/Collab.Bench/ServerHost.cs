using System.Diagnostics;
using System.Net.Sockets;

namespace Collab.Bench;

/// <summary>
/// The server processes a run started itself (<c>--spawn</c>), from the built Release DLLs: embedded (one web node on
/// a temp data folder), clustered (migrate, one silo, one web node against the given PostgreSQL), cohosted (migrate,
/// then <c>--nodes</c> web nodes that are each a silo of that cluster, <c>Collab:Topology=CoHosted</c>) or bare (the
/// yardstick, <c>bench/Collab.BareHub</c>: a plain SignalR hub with an in-memory sequencer). Their output goes
/// to log files; warnings and errors are counted. Stopped with SIGTERM (SIGKILL after 15 s).
/// </summary>
internal sealed class ServerHost : IAsyncDisposable
{
    private readonly List<Server> _servers = [];
    private readonly string _folder;

    private ServerHost(string folder)
    {
        _folder = folder;
    }

    public string LogFolder => _folder;

    public IReadOnlyList<Server> Servers => _servers;

    public bool UsesPostgres { get; private init; }

    /// <summary>The web nodes clients connect to, in turn (several only with <c>--spawn cohosted --nodes N</c>).</summary>
    public IReadOnlyList<Uri> NodeUrls => _nodeUrls;

    private readonly List<Uri> _nodeUrls = [];

    /// <param name="settings">
    /// Extra environment of every Collab process (not the bare hub), e.g. a log level the activation mode reads.
    /// </param>
    public static async Task<ServerHost> StartAsync(
        BenchOptions options, TextWriter log, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        if (options.ServerEnvironment.Count > 0)
        {
            settings = With(settings, new Dictionary<string, string>(options.ServerEnvironment));
            log.WriteLine($"spawn: Collab processes get {string.Join(' ', options.ServerEnvironment.Select(e => $"{e.Key}={e.Value}"))}");
        }

        var root = FindRepositoryRoot();
        if (options.Bin is null)
        {
            // A build output has no wwwroot (`dotnet run` serves the web client from the project, a publish copies it):
            // point the nodes at it, or every web log starts with a warning of the bench's own making.
            settings = With(settings, new Dictionary<string, string> { ["ASPNETCORE_WEBROOT"] = Path.Combine(root, "src/Web/wwwroot") });
        }

        var webDll = CollabDll(root, options.Bin, "Web");
        var siloDll = CollabDll(root, options.Bin, "Silo");
        var bareDll = Path.Combine(root, "bench/Collab.BareHub/bin/Release/net10.0/Collab.BareHub.dll");
        var serverDll = options.Spawn == "bare" ? bareDll : webDll;
        if (!File.Exists(serverDll))
        {
            throw new InvalidOperationException(options.Bin is null
                ? $"{serverDll} is missing: run 'dotnet build {Path.GetRelativePath(root, Path.GetDirectoryName(serverDll)!).Split("/bin/")[0]} -c Release' first."
                : $"{serverDll} is missing: publish src/Web and src/Silo into --bin's web/ and silo/ first (bench/README.md).");
        }

        if (await IsListeningAsync(options.BaseUrl.Port))
        {
            throw new InvalidOperationException($"Something already listens on 127.0.0.1:{options.BaseUrl.Port}; stop it or pick another --url port.");
        }

        var folder = Directory.CreateTempSubdirectory("collab-bench-").FullName;
        var host = new ServerHost(folder) { UsesPostgres = options.Spawn is "clustered" or "cohosted" };
        try
        {
            var webUrl = options.BaseUrl.GetLeftPart(UriPartial.Authority);
            if (options.Spawn == "bare")
            {
                log.WriteLine($"spawn: bare SignalR hub {bareDll} at {webUrl}");
                var bare = host.Launch("bare", bareDll, [], new() { ["Urls"] = webUrl }, webUrl);
                await WaitReadyAsync(bare, cancellationToken);
            }
            else if (options.Spawn == "embedded")
            {
                log.WriteLine($"spawn: embedded web node {webDll} at {webUrl}, data in {folder}/data");
                // Free silo ports too, so a run never collides with another embedded node on this machine.
                var web = host.Launch("web", webDll, [], With(settings, new()
                {
                    ["Collab__DataPath"] = Path.Combine(folder, "data"),
                    ["Collab__Silo__Port"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["Collab__Silo__GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["Urls"] = webUrl,
                }), webUrl);
                await WaitReadyAsync(web, cancellationToken);
            }
            else
            {
                if (!File.Exists(siloDll))
                {
                    throw new InvalidOperationException(options.Bin is null
                        ? $"{siloDll} is missing: run 'dotnet build -c Release' first."
                        : $"{siloDll} is missing: publish src/Silo into --bin's silo/ first (bench/README.md).");
                }

                var common = With(settings, new Dictionary<string, string>
                {
                    ["Collab__Storage"] = "Postgres",
                    ["ConnectionStrings__Collab"] = options.Postgres!,
                    ["Collab__ClusterId"] = "bench-" + Path.GetFileName(folder).Replace("collab-bench-", "", StringComparison.Ordinal),
                });
                log.WriteLine("spawn: migrate");
                var migrate = host.Launch("migrate", siloDll, ["migrate"], common, null);
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    timeout.CancelAfter(TimeSpan.FromMinutes(2));
                    await migrate.Process.WaitForExitAsync(timeout.Token);
                }

                if (migrate.Process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"migrate exited with {migrate.Process.ExitCode}: {migrate.Tail()}");
                }

                host._servers.Remove(migrate);
                var signingKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
                if (options.Spawn == "clustered")
                {
                    var siloHttp = $"http://127.0.0.1:{FreePort()}";
                    var ports = SiloPorts("bench-silo");
                    log.WriteLine($"spawn: silo {siloDll} (silo port {ports["Collab__Silo__Port"]}, gateway {ports["Collab__Silo__GatewayPort"]}, http {siloHttp})");
                    var silo = host.Launch("silo", siloDll, [], new(common.Concat(ports)) { ["Urls"] = siloHttp }, siloHttp);
                    await WaitReadyAsync(silo, cancellationToken);
                    log.WriteLine($"spawn: clustered web node {webDll} at {webUrl}");
                    var web = host.Launch("web", webDll, [], new(common)
                    {
                        ["Collab__Auth__SigningKey"] = signingKey,
                        ["Urls"] = webUrl,
                    }, webUrl);
                    await WaitReadyAsync(web, cancellationToken);
                }
                else
                {
                    // Co-hosted: every web node is a silo of the cluster; the first answers at --url, the others on free ports.
                    for (var n = 1; n <= options.Nodes; n++)
                    {
                        var url = n == 1 ? webUrl : $"http://127.0.0.1:{FreePort()}";
                        var ports = SiloPorts($"bench-node{n}");
                        log.WriteLine($"spawn: co-hosted web node {n} {webDll} at {url} (silo port {ports["Collab__Silo__Port"]})");
                        var web = host.Launch(options.Nodes == 1 ? "web" : $"web{n}", webDll, [], new(common.Concat(ports))
                        {
                            ["Collab__Topology"] = "CoHosted",
                            ["Collab__Auth__SigningKey"] = signingKey,
                            ["Urls"] = url,
                        }, url);
                        await WaitReadyAsync(web, cancellationToken);
                        host._nodeUrls.Add(new Uri(url + "/"));
                    }
                }
            }

            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Stops every server process and starts it again with the same settings and data (embedded: the same SQLite
    /// folder; clustered: the same database and cluster id), in the same order, each ready before the next: every grain
    /// activation is gone and the processes are cold (JIT included).
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        var stopped = _servers.ToList();
        foreach (var server in Enumerable.Reverse(stopped))
        {
            await server.StopAsync();
        }

        _servers.Clear();
        foreach (var server in stopped)
        {
            var again = Launch(server.Name, server.Dll, server.Arguments, server.Environment, server.HttpBase);
            await WaitReadyAsync(again, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Enumerable.Reverse(_servers))
        {
            await server.StopAsync();
        }

        try
        {
            var data = Path.Combine(_folder, "data");
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }

    private static Dictionary<string, string> With(IReadOnlyDictionary<string, string>? settings, Dictionary<string, string> environment)
    {
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return environment;
    }

    private Server Launch(string name, string dll, string[] arguments, Dictionary<string, string> environment, string? httpBase)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            // The content root is the working directory: run beside the DLL so its appsettings.json applies (log levels, storage).
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        // The generator's own socket setting (Program.Main) is not the servers': they run as they would in production.
        start.Environment.Remove(Program.InlineSocketCompletions);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // A restarted process appends to the same log file.
        var server = new Server(name, Path.Combine(_folder, name + ".log"), Process.Start(start)!)
        {
            Dll = dll,
            Arguments = arguments,
            Environment = environment,
            HttpBase = httpBase,
        };
        _servers.Add(server);
        return server;
    }

    private static async Task WaitReadyAsync(Server server, CancellationToken cancellationToken)
    {
        var ready = new Uri(server.HttpBase + "/health/ready");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (server.Process.HasExited)
            {
                throw new InvalidOperationException($"{server.Name} exited with {server.Process.ExitCode} while starting: {server.Tail()}");
            }

            try
            {
                using var response = await http.GetAsync(ready, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"{server.Name} was not ready at {ready} after 90 s: {server.Tail()}");
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port).WaitAsync(TimeSpan.FromSeconds(2));
            return true;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>A silo's name and free silo and gateway ports, as environment settings.</summary>
    private static Dictionary<string, string> SiloPorts(string name) => new()
    {
        ["Collab__Silo__Name"] = name,
        ["Collab__Silo__Port"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Collab__Silo__GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// <c>Collab.{project}.dll</c>: from the Release build output, or from <c>{bin}/{project lower-case}</c> when the
    /// run names a published folder (<c>--bin</c>).
    /// </summary>
    private static string CollabDll(string root, string? bin, string project) => bin is null
        ? Path.Combine(root, $"src/{project}/bin/Release/net10.0/Collab.{project}.dll")
        : Path.Combine(bin, project.ToLowerInvariant(), $"Collab.{project}.dll");

    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Collab.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException("Cannot find the repository (Collab.sln) above the bench binary or the working directory.");
    }

    /// <summary>One spawned process, its log file, and the warnings and errors it printed.</summary>
    internal sealed class Server
    {
        private readonly object _lock = new();
        private readonly StreamWriter _log;
        private readonly Queue<string> _tail = new();

        public Server(string name, string logPath, Process process)
        {
            Name = name;
            LogPath = logPath;
            Process = process;
            Pid = process.Id;
            _log = new StreamWriter(logPath, append: true) { AutoFlush = true };
            process.OutputDataReceived += (_, e) => Line(e.Data);
            process.ErrorDataReceived += (_, e) => Line(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public string Name { get; }

        public string LogPath { get; }

        public required string Dll { get; init; }

        public required string[] Arguments { get; init; }

        public required Dictionary<string, string> Environment { get; init; }

        /// <summary>Where it answers HTTP (<c>/health/ready</c>, <c>/metrics</c>); null for <c>migrate</c>.</summary>
        public required string? HttpBase { get; init; }

        public Process Process { get; }

        public int Pid { get; }

        public int Warnings { get; private set; }

        public int Errors { get; private set; }

        /// <summary>The first few warning/error lines with the line after each (the message).</summary>
        public List<string> Samples { get; } = [];

        private bool _captureNext;
        private bool _closed;

        public string Tail()
        {
            lock (_lock)
            {
                return string.Join(" | ", _tail);
            }
        }

        public async Task StopAsync()
        {
            try
            {
                if (!Process.HasExited)
                {
                    using (var kill = Process.Start("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                    {
                        await kill.WaitForExitAsync();
                    }

                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                    try
                    {
                        await Process.WaitForExitAsync(timeout.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        Process.Kill(entireProcessTree: true);
                        await Process.WaitForExitAsync();
                    }
                }
            }
            finally
            {
                lock (_lock)
                {
                    _closed = true;
                    _log.Dispose();
                }

                Process.Dispose();
            }
        }

        private void Line(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_lock)
            {
                if (!_closed)
                {
                    _log.WriteLine(line);
                }

                _tail.Enqueue(line);
                if (_tail.Count > 8)
                {
                    _tail.Dequeue();
                }

                if (_captureNext && Samples.Count > 0)
                {
                    Samples[^1] += " " + line.Trim();
                    _captureNext = false;
                }

                var warn = line.StartsWith("warn:", StringComparison.Ordinal);
                var error = line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)
                    || line.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal) || line.Contains("\"LogLevel\":\"Critical\"", StringComparison.Ordinal);
                if (warn)
                {
                    Warnings++;
                }

                if (error)
                {
                    Errors++;
                }

                if ((warn || error) && Samples.Count < 6)
                {
                    Samples.Add(line.Trim());
                    _captureNext = true;
                }
            }
        }
    }
}
