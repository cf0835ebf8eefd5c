using System.Diagnostics;
using Collab.Diagnostics;
using Collab.Hosting.Configuration;
using Collab.Hosting.Operations;
using OpenTelemetry.Instrumentation.AspNetCore;

namespace Collab.Web.Operations;

/// <summary>A web node's telemetry: the shared set (<see cref="CollabOperations"/>) plus HTTP spans tagged with our ids.</summary>
public static class WebTelemetry
{
    public static IHostApplicationBuilder AddCollabWebTelemetry(this IHostApplicationBuilder builder, CollabOptions collab)
    {
        builder.AddCollabTelemetry(collab, "web");
        builder.Services.Configure<AspNetCoreTraceInstrumentationOptions>(http => http.EnrichWithHttpResponse = TagIds);
        return builder;
    }

    /// <summary>The workshop and document a request is about, from its route (<c>{id}</c>, <c>{docId}</c>): ids only.</summary>
    private static void TagIds(Activity span, HttpResponse response)
    {
        var route = response.HttpContext.Request.RouteValues;
        if (route.TryGetValue("id", out var workshopId) && workshopId is string workshop)
        {
            span.SetTag(CollabTelemetry.WorkshopTag, workshop);
        }

        if (route.TryGetValue("docId", out var docId) && docId is string document)
        {
            span.SetTag(CollabTelemetry.DocumentTag, document);
        }
    }
}
