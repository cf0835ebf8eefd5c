using Microsoft.Net.Http.Headers;

namespace Collab.Web.Client;

/// <summary>
/// The built-in web client: <c>wwwroot</c> (index.html, ES modules, CSS, and <c>lib/signalr</c>, which the build copies
/// from npm's <c>@microsoft/signalr</c>) served at <c>/</c>, with no CDN, so that a venue without internet can run it.
/// </summary>
public static class WebClientEndpoints
{
    public static WebApplication UseCollabWebClient(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            // Revalidate every time (ETag → 304): a page reloaded after an upgrade never mixes old and new modules.
            OnPrepareResponse = context => context.Context.Response.Headers[HeaderNames.CacheControl] = "no-cache",
        });
        return app;
    }
}
