using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.SignalR;

namespace Collab.Web.Errors;

/// <summary>One JSON vocabulary for the HTTP API and the hub: camelCase names and enums as camelCase strings.</summary>
public static class CollabJson
{
    public static JsonStringEnumConverter EnumConverter() => new(JsonNamingPolicy.CamelCase);

    public static IHostApplicationBuilder AddCollabJson(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(EnumConverter()));
        builder.Services.Configure<JsonHubProtocolOptions>(json => json.PayloadSerializerOptions.Converters.Add(EnumConverter()));
        return builder;
    }
}
