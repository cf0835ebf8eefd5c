using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Collab.Tests.Web;
using Microsoft.Extensions.Logging;

namespace Collab.Tests.Workshops;

/// <summary>The node of <see cref="JoinCodeLookupTests"/>: Production, with join budgets of 2 per second (bursts of 20).</summary>
public sealed class JoinCodeLookupWebNode : ProductionWebNode
{
    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Collab:Auth:JoinsPerSecond", "2");
    }
}

/// <summary>
/// <c>GET /api/join/{code}</c>: the join page learns the workshop's title, languages and delegations from a current
/// code, and nothing more; a code that does not work is refused as joining refuses it, and counts against the same
/// budgets (in Production too).
/// </summary>
public sealed class JoinCodeLookupTests(JoinCodeLookupWebNode node) : IClassFixture<JoinCodeLookupWebNode>
{
    [Fact]
    public async Task ACurrentCodeTellsTitleLanguagesDelegationsAndRoleOnly()
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        using var http = new HttpClient { BaseAddress = node.Address };

        // As people type it: lower case, with a dash.
        var typed = workshop.Codes["participant"].ToLowerInvariant().Insert(5, "-");
        var info = await http.GetFromJsonAsync<JsonElement>("/api/join/" + Uri.EscapeDataString(typed));

        Assert.Equal("Regional conference on border community engagement", info.GetProperty("title").GetString());
        Assert.Equal(["en", "fr"], info.GetProperty("languages").EnumerateArray().Select(l => l.GetString()));
        Assert.Contains(info.GetProperty("delegations").EnumerateArray(), d => d.GetProperty("id").GetString() == "gh" && d.GetProperty("name").GetString() == "Ghana");
        Assert.Equal(6, info.GetProperty("delegations").GetArrayLength());
        Assert.Equal("participant", info.GetProperty("role").GetString());

        // Nothing else of the workshop: no id, no agenda, no roster, no codes.
        Assert.Equal(["title", "languages", "delegations", "role"], info.EnumerateObject().Select(p => p.Name));
        var raw = info.GetRawText();
        Assert.DoesNotContain(workshop.Id, raw, StringComparison.Ordinal);
        Assert.DoesNotContain(workshop.Codes["facilitator"], raw, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NOTACODE99")]
    [InlineData("x")]
    [InlineData("ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ")]
    public async Task ACodeThatDoesNotWorkIsRefusedWithItsCodeAndNoErrorLog(string code)
    {
        using var http = new HttpClient { BaseAddress = node.Address };
        using var response = await http.GetAsync("/api/join/" + Uri.EscapeDataString(code));

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests });
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(response.StatusCode == HttpStatusCode.Unauthorized ? "join.code_invalid" : "rate.limited", problem.GetProperty("code").GetString());
        Assert.DoesNotContain(node.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task ReplacedCodeIsRefused()
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var old = workshop.Codes["observer"];
        using var rotated = await workshop.SendAsync(workshop.Facilitator.Token, HttpMethod.Post, $"/api/workshops/{workshop.Id}/join-codes/observer/rotate");
        rotated.EnsureSuccessStatusCode();

        using var http = new HttpClient { BaseAddress = node.Address };
        using var response = await http.GetAsync("/api/join/" + old);

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests });
    }

    [Fact]
    public async Task GuessingCodesRunsIntoTheJoinBudget()
    {
        using var http = new HttpClient { BaseAddress = node.Address };
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 60 && !statuses.Contains(HttpStatusCode.TooManyRequests); i++)
        {
            using var response = await http.GetAsync($"/api/join/GUESS{i:D5}");
            statuses.Add(response.StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, $"answered {s}"));
    }
}
