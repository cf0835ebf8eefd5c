using System.Text;
using Collab.Errors;
using Collab.Outcome;
using Collab.Web.Errors;
using Collab.Web.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using static Collab.Web.Workshops.WorkshopsApi;

namespace Collab.Web.Outcome;

/// <summary>
/// <c>/api/workshops/{id}/outcome</c>: the outcome document in Markdown, HTML or DOCX, in one working language or
/// bilingual, for the live state (rapporteurs and facilitators) or a published version (every member); and the
/// published versions. Who may do what is decided by <see cref="IOutcomeGrain"/>.
/// </summary>
public static class OutcomeApi
{
    public const string MarkdownType = "text/markdown; charset=utf-8";
    public const string HtmlType = "text/html; charset=utf-8";

    public static IEndpointRouteBuilder MapOutcomeApi(this IEndpointRouteBuilder endpoints)
    {
        var outcome = endpoints.MapGroup("/api/workshops/{id}/outcome").WithTags("Outcome")
            .RequireAuthorization().ChecksCallerRoutes().RequireRateLimiting(CollabAuth.ParticipantPolicy).ProducesCollabProblems();
        outcome.MapGet("/", ExportAsync)
            .Produces(StatusCodes.Status200OK, contentType: MarkdownType, additionalContentTypes: [HtmlType, OutcomeDocx.ContentType])
            .WithSummary("The outcome document as a file: format md, html or docx; lang en, fr … or bilingual; version current (rapporteurs and facilitators) or a published one (every member)");
        outcome.MapGet("/versions", async (string id, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id).GetVersionsAsync(Caller(http))))
            .WithSummary("The published versions of the outcome, oldest first");
        outcome.MapPost("/versions", async (string id, PublishRequest request, HttpContext http, IClusterClient cluster) =>
        {
            var version = await Grain(cluster, id).PublishAsync(new PublishOutcome(Caller(http), request.Name ?? ""));
            return TypedResults.Created($"/api/workshops/{id}/outcome?version={version.Id}", version);
        }).WithSummary("Publish the outcome as it stands under a name; the version never changes afterwards (rapporteurs and facilitators)");
        return endpoints;
    }

    /// <summary>
    /// <c>GET …/outcome?format=md|html|docx&amp;lang=en|fr|bilingual&amp;version=current|{id}</c>. Defaults: HTML, the
    /// language of record, the live state.
    /// </summary>
    private static async Task<FileContentHttpResult> ExportAsync(
        string id, string? format, string? lang, string? version, HttpContext http, IClusterClient cluster)
    {
        var kind = (format ?? "html").Trim().ToLowerInvariant() switch
        {
            "md" or "markdown" => ExportFormat.Markdown,
            "html" => ExportFormat.Html,
            "docx" => ExportFormat.Docx,
            _ => throw new ValidationFailedException("outcome.format_invalid", $"'{format}' is not an export format; use md, html or docx.", "format"),
        };

        var grain = Grain(cluster, id);
        var wanted = (version ?? "").Trim();
        var document = wanted.Length == 0 || wanted.Equals("current", StringComparison.OrdinalIgnoreCase)
            ? await grain.GetCurrentAsync(Caller(http))
            : await grain.GetVersionAsync(Caller(http), wanted);
        var edition = OutcomeEdition.For(document, lang);

        var name = FileName(document, edition, kind);
        switch (kind)
        {
            case ExportFormat.Markdown:
                return TypedResults.File(Encoding.UTF8.GetBytes(OutcomeMarkdown.Render(document, edition)), MarkdownType, name);
            case ExportFormat.Html:
                http.Response.Headers.ContentSecurityPolicy = OutcomeHtml.ContentSecurityPolicy;
                return TypedResults.File(Encoding.UTF8.GetBytes(OutcomeHtml.Render(document, edition)), HtmlType, name);
            default:
                return TypedResults.File(OutcomeDocx.Render(document, edition.Languages), OutcomeDocx.ContentType, name);
        }
    }

    /// <summary><c>{workshop}_{lang}_{version}_{date}.{ext}</c>, e.g. <c>regional-conference_fr_final_2023-12-07.docx</c>.</summary>
    public static string FileName(OutcomeDocument document, OutcomeEdition edition, ExportFormat format)
    {
        var workshop = OutcomeSlug.Of(document.Title, 50) is { Length: > 0 } slug ? slug : "workshop";
        var version = document.Version?.Id ?? "current";
        var date = (document.Version?.PublishedAt ?? document.AsOf).UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var extension = format switch { ExportFormat.Markdown => "md", ExportFormat.Html => "html", _ => "docx" };
        return $"{workshop}_{edition.FileTag}_{version}_{date}.{extension}";
    }

    private static IOutcomeGrain Grain(IClusterClient cluster, string id) => cluster.GetGrain<IOutcomeGrain>(id);
}

public enum ExportFormat
{
    Markdown,
    Html,
    Docx,
}

/// <summary>Body of <c>POST …/outcome/versions</c>: the version's name, e.g. "Draft for closing plenary" or "Final".</summary>
public sealed record PublishRequest(string? Name);
