using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Collab.Client;
using Collab.Documents;
using Collab.Text;
using CsCheck;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace Collab.Tests.Realtime;

/// <summary>
/// <c>SubmitOp</c> against random hostile payloads (random JSON in every field, numbers at and past every integer
/// boundary, ops whose lengths only add up after wrapping around): every call is acknowledged or refused with a known
/// code, and whatever was committed is a history that both engines, the server's and the web client's (<c>ot.js</c>, run
/// by Node.js), replay to the server's text.
/// </summary>
public sealed class HostileSubmitPropertyTests(UnmeteredWebNode node, ITestOutputHelper output) : IClassFixture<UnmeteredWebNode>
{
    private static readonly HashSet<string> KnownCodes =
    [
        "request.malformed", "rate.limited", "op.malformed", "op.base_length_mismatch", "op.splits_surrogate_pair", "op.too_large",
        "op.client_id_invalid", "op.client_seq_invalid", "op.sequence_reused", "document.too_large", "revision.in_future",
        "revision.too_old", "document.not_found",
    ];

    private static readonly long[] Boundaries =
    [
        0, 1, -1, 2, -2, 5, -5, 11, -11, 127, 255, 65_535, 65_536, 1_048_576, 1_048_577, int.MaxValue, int.MinValue, int.MaxValue - 10,
        -(int.MaxValue - 9), -2_147_483_647, -2_147_483_638, uint.MaxValue, (long)uint.MaxValue + 1, 9_007_199_254_740_991,
        9_007_199_254_740_993, long.MaxValue, long.MinValue,
    ];

    private static readonly string[] Strings = ["x", "é", "😀", "\ud83d", "\ude00", "", "a\u0000b", new string('w', 70_000), "Hello", "\u202e", "SECRET"];

    /// <summary>A JSON number at or around a boundary, or a fraction, or a number past every integer type.</summary>
    private static JsonNode HostileNumber(Random random) => random.Next(8) switch
    {
        0 => JsonValue.Create(random.NextDouble() * 10)!,
        1 => JsonNode.Parse("1e300")!,
        2 => JsonNode.Parse("123456789012345678901234567890")!,
        3 => JsonNode.Parse("-0")!,
        _ => JsonValue.Create(Boundaries[random.Next(Boundaries.Length)] + random.Next(-1, 2))!,
    };

    /// <summary>Any JSON value, biased to the shapes that reach deepest.</summary>
    private static JsonNode? AnyValue(Random random, int depth = 0) => random.Next(depth > 1 ? 5 : 8) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(2) == 0),
        2 or 3 => HostileNumber(random),
        4 => JsonValue.Create(Strings[random.Next(Strings.Length)]),
        5 => new JsonArray([.. Enumerable.Range(0, random.Next(4)).Select(_ => AnyValue(random, depth + 1))]),
        6 => new JsonObject { ["insert"] = AnyValue(random, depth + 1) },
        _ => JsonValue.Create(random.Next(-3, 30)),
    };

    /// <summary>An op over a text of <paramref name="length"/>: plausible, or plausible with overflowing counts spliced in.</summary>
    private static JsonNode? HostileOp(Random random, int length)
    {
        var op = new JsonArray();
        switch (random.Next(6))
        {
            case 0:
                return AnyValue(random);
            case 1:
                // Counts that only add up to the length after wrapping around 2^32.
                op.Add(length);
                op.Add(-2_147_483_647);
                op.Add(-2_147_483_638 + random.Next(-2, 3));
                op.Add(length);
                return op;
            case 2:
                op.Add(-2_147_483_647);
                op.Add(-2_147_483_647);
                op.Add(-2);
                op.Add(length);
                return op;
            case 3:
                op.Add(int.MaxValue);
                op.Add(int.MaxValue);
                op.Add(length + 2);
                op.Add("x");
                return op;
            default:
                // Plausible: keep, insert, delete somewhere, with now and then a hostile component.
                var at = random.Next(length + 1);
                if (at > 0)
                {
                    op.Add(at);
                }

                op.Add(random.Next(4) == 0 ? AnyValue(random) : JsonValue.Create(Strings[random.Next(3)]));
                var rest = length - at;
                if (rest > 0 && random.Next(3) == 0)
                {
                    op.Add(-1);
                    rest--;
                }

                if (rest > 0)
                {
                    op.Add(rest);
                }

                return op;
        }
    }

    private static JsonObject Payload(Random random, string docId, int revision, int length, ref long seq)
    {
        var payload = new JsonObject
        {
            ["docId"] = random.Next(12) == 0 ? AnyValue(random) : docId,
            ["baseRevision"] = random.Next(5) == 0 ? AnyValue(random) : revision - random.Next(Math.Min(revision, 2) + 1),
            ["clientId"] = random.Next(10) == 0 ? AnyValue(random) : "fuzz-" + random.Next(3),
            ["clientSeq"] = random.Next(6) == 0 ? AnyValue(random) : ++seq,
            ["op"] = HostileOp(random, length),
        };
        if (random.Next(4) == 0)
        {
            payload["clientTime"] = random.Next(2) == 0 ? AnyValue(random) : "2026-12-06T10:00:00Z";
        }

        if (random.Next(15) == 0)
        {
            payload.Remove(new[] { "docId", "baseRevision", "clientId", "clientSeq", "op" }[random.Next(5)]);
        }

        return payload;
    }

    [Fact]
    public async Task HostileSubmissionsAreAcknowledgedOrRefusedWithACodeAndEveryCommitReplaysInBothEngines()
    {
        var workshop = await node.WorkshopAsync();
        var member = await node.MemberAsync("Fuzzer");
        await using var connection = node.Raw(member.Token);
        await connection.StartAsync();
        var histories = new List<(string Initial, JsonElement Ops, string Server)>();
        var outcomes = new Dictionary<string, int>();

        await Gen.Int.SampleAsync(async seed =>
        {
            var random = new Random(seed);
            const string Initial = "Hello world";
            var docId = await workshop.NewDocumentAsync("Fuzzed", Initial);
            await connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });
            var text = Initial;
            var revision = 0;
            long seq = 0;
            for (var i = 0; i < 40; i++)
            {
                var payload = Payload(random, docId, revision, text.Length, ref seq);
                string outcome;
                try
                {
                    var ack = await connection.InvokeCoreAsync<SubmitResult>("SubmitOp", [payload]);
                    outcome = "ack";
                    if (ack.Revision > revision)
                    {
                        text = TextOt.Apply(text, ack.Op);
                        revision = ack.Revision;
                    }
                }
                catch (HubException e)
                {
                    outcome = HubErrors.CodeOf(e) ?? "";
                    Assert.True(KnownCodes.Contains(outcome), $"seed {seed}, call {i}: {payload.ToJsonString()[..Math.Min(300, payload.ToJsonString().Length)]} got '{e.Message}'");
                }

                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }

            var server = await workshop.OkAsync<TextAtRevision>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{docId}/text");
            Assert.Equal((text, revision), (server.Text, server.Revision));
            var ops = await workshop.OkAsync<JsonElement>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{docId}/ops?after=0");
            histories.Add((Initial, ops, server.Text));
            await connection.InvokeAsync("CloseDocument", new { docId });
        }, iter: 25, threads: 1);

        output.WriteLine("Outcomes: " + string.Join(", ", outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key} {o.Value}")));

        // Random payloads must get through now and then, or the property says nothing about commits.
        Assert.True(outcomes.GetValueOrDefault("ack") >= 25, "Too few acks to judge: " + string.Join(", ", outcomes));
        Assert.True(outcomes.Keys.Count(k => k != "ack") >= 5, "Too few kinds of refusal: " + string.Join(", ", outcomes));

        // The server's engine replays every history to the server's text; the web client's must too.
        foreach (var (initial, ops, server) in histories)
        {
            var replayed = ops.EnumerateArray().Aggregate(initial, (current, op) => TextOt.Apply(current, JsonSerializer.Deserialize<TextOperation>(op.GetProperty("op"))!));
            Assert.Equal(server, replayed);
        }

        Assert.Equal(histories.Select(h => h.Server), await ReplayInJavaScriptAsync(histories.Select(h => (h.Initial, h.Ops)).ToList()));
    }

    /// <summary>Runs <c>tests/js/tools/replay-ops.mjs</c>: each history's ops applied in order by ot.js; its final texts.</summary>
    private static async Task<List<string>> ReplayInJavaScriptAsync(List<(string Initial, JsonElement Ops)> histories)
    {
        var input = JsonSerializer.Serialize(histories.Select(h => new { text = h.Initial, ops = h.Ops.EnumerateArray().Select(o => o.GetProperty("op")) }));
        var start = new ProcessStartInfo("node", Path.Combine(RepoRoot.Path, "tests", "js", "tools", "replay-ops.mjs"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, $"node replay-ops.mjs failed ({process.ExitCode}): {await errors}");
        return JsonSerializer.Deserialize<List<string>>(await output)!;
    }
}
