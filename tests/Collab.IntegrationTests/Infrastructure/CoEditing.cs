using System.Net.Http.Json;
using Collab.Client;
using Collab.Documents;

namespace Collab.IntegrationTests.Infrastructure;

/// <summary>What every multi-node co-editing test checks at the end: each copy is the server's text.</summary>
internal static class CoEditing
{
    /// <summary>The server's text, read through <paramref name="address"/> with <paramref name="token"/>.</summary>
    public static async Task<TextAtRevision> ServerTextAsync(Uri address, string token, string docId)
    {
        using var http = new HttpClient { BaseAddress = address };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return (await http.GetFromJsonAsync<TextAtRevision>($"/api/documents/{docId}/text"))!;
    }

    /// <summary>
    /// Waits until every copy has reached the server's revision (read through <paramref name="address"/>), then checks
    /// that each equals the server's text and that the text holds every piece of <paramref name="expected"/>.
    /// </summary>
    public static async Task AssertConvergedAsync(
        Uri address, string token, IReadOnlyList<SharedDocument> copies, TimeSpan patience, params string[] expected)
    {
        var server = await ServerTextAsync(address, token, copies[0].DocId);
        foreach (var copy in copies)
        {
            await copy.WaitForRevisionAsync(server.Revision, patience);
            Assert.Equal(server.Text, copy.Text);
        }

        Assert.All(expected, piece => Assert.Contains(piece, server.Text, StringComparison.Ordinal));
    }
}
