using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Collab.Tests.Web;
using Collab.Workshops;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.Tests.Workshops;

/// <summary>
/// The node of <see cref="JoinFloodTests"/>: Production, with join budgets of 10 per second (bursts of 100), so that the
/// flood outruns them however fast this machine sends it.
/// </summary>
public sealed class JoinFloodWebNode : ProductionWebNode
{
    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Collab:Auth:JoinsPerSecond", "10");
    }
}

/// <summary>
/// Joining cannot be blocked by an anonymous client: a flood of made-up join codes from the venue's one address gets
/// 401s and then 429s, while the people in the room who type the real code get in, every one of them.
/// </summary>
public sealed class JoinFloodTests(JoinFloodWebNode node) : IClassFixture<JoinFloodWebNode>
{
    private const int Flood = 800;
    private const int Parallel = 16;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task FloodOfInvalidCodesDoesNotKeepValidJoinsOut()
    {
        // One workshop created through this node (it knows the codes), one created elsewhere in the cluster (it does not).
        var known = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var elsewhere = await node.Services.GetRequiredService<IClusterClient>().GetGrain<IWorkshopGrain>("flood-" + Guid.NewGuid().ToString("N")[..8])
            .CreateAsync(new CreateWorkshop("Elsewhere", null, new DateOnly(2026, 11, 30), new DateOnly(2026, 11, 30), ["en"], null, null, null, null, "Creator", null, null, null));
        var elsewhereCode = elsewhere.JoinCodes.Single(c => c.Role == Role.Participant).Code;

        using var patience = new CancellationTokenSource(Patience);
        using var http = new HttpClient { BaseAddress = node.Address };
        var milestones = Enumerable.Range(1, 9).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var sent = 0;
        var answers = new System.Collections.Concurrent.ConcurrentBag<(HttpStatusCode Status, string? Code)>();

        async Task FloodAsync()
        {
            while (Interlocked.Increment(ref sent) is var n && n <= Flood)
            {
                if (n % (Flood / 10) == 0 && n / (Flood / 10) - 1 < milestones.Length)
                {
                    milestones[n / (Flood / 10) - 1].TrySetResult();
                }

                using var response = await http.PostAsJsonAsync("/api/join", new { code = RandomCode(), displayName = "Flood" }, patience.Token);
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>(patience.Token);
                answers.Add((response.StatusCode, problem.TryGetProperty("code", out var code) ? code.GetString() : null));
            }
        }

        async Task<List<HttpStatusCode>> RoomAsync()
        {
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < milestones.Length; i++)
            {
                await milestones[i].Task.WaitAsync(patience.Token);
                var code = i % 2 == 0 ? known.Codes["participant"] : elsewhereCode;
                using var response = await http.PostAsJsonAsync("/api/join", new { code, displayName = $"Person {i}" }, patience.Token);
                statuses.Add(response.StatusCode);
            }

            return statuses;
        }

        var flood = Enumerable.Range(0, Parallel).Select(_ => FloodAsync()).ToList();
        var room = RoomAsync();
        await Task.WhenAll(flood);
        foreach (var milestone in milestones)
        {
            milestone.TrySetResult();
        }

        var joined = await room;

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, milestones.Length), joined);
        Assert.Equal(Flood, answers.Count);
        Assert.All(answers, a => Assert.True(
            (a.Status, a.Code) is (HttpStatusCode.Unauthorized, "join.code_invalid") or (HttpStatusCode.TooManyRequests, "rate.limited"),
            $"A made-up code was answered {(int)a.Status} {a.Code}"));
        Assert.Contains(answers, a => a.Status == HttpStatusCode.TooManyRequests);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ABC")]
    [InlineData("IIIIIIIIII")]
    [InlineData("ABCDEFGHJKLMNPQRSTUVWXYZ23456789ABCDEFGHJKLMNPQRSTUVWXYZ23456789ABCDEFGHJKLMNPQRSTUVWXYZ")]
    public async Task WhatCannotBeACodeIsRefusedAsInvalid(string code)
    {
        using var http = new HttpClient { BaseAddress = node.Address };

        using var response = await http.PostAsJsonAsync("/api/join", new { code, displayName = "Someone" });

        await HttpErrorsTests.ProblemAsync(response, HttpStatusCode.Unauthorized, "join.code_invalid");
    }

    private static string RandomCode() =>
        string.Create(ClaimKeys.CodeLength, 0, static (chars, _) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = ClaimKeys.CodeAlphabet[RandomNumberGenerator.GetInt32(ClaimKeys.CodeAlphabet.Length)];
            }
        });
}
