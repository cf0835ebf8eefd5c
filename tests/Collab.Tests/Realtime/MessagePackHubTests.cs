using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Collab.Client;
using Collab.Documents;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Collab.Tests.Realtime;

/// <summary>
/// The MessagePack hub protocol against shapes JSON cannot even express (binary data, extension values, NaN, integer
/// map keys, strings that are not UTF-8 or encode half of a surrogate pair, unsigned 64-bit integers, nesting half a
/// million levels deep), sent byte for byte over a real MessagePack connection to a real Kestrel node: every one is
/// answered with a typed code naming the field (never SignalR's generic error), changes nothing, and the connection
/// stays usable.
/// </summary>
public sealed class MessagePackHubTests(KestrelWebNode node) : IClassFixture<KestrelWebNode>
{
    private delegate void Write(ref MessagePackWriter writer);

    /// <summary>An argument sent as the bytes given, whatever they are.</summary>
    private sealed record RawArgument(byte[] Bytes);

    private sealed class RawArgumentFormatter : IMessagePackFormatter<RawArgument>
    {
        public void Serialize(ref MessagePackWriter writer, RawArgument value, MessagePackSerializerOptions options) => writer.WriteRaw(value.Bytes);

        public RawArgument Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => throw new NotSupportedException();
    }

    private static byte[] Bytes(Write write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A <c>SubmitOp</c> request: the fields given (null: the honest value), in MessagePack.</summary>
    private static RawArgument Submit(string docId, Write? op = null, Write? baseRevision = null, Write? clientSeq = null, Write? extra = null, Write? docIdValue = null) =>
        new(Bytes((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(extra is null ? 5 : 6);
            w.Write("docId");
            if (docIdValue is null)
            {
                w.Write(docId);
            }
            else
            {
                docIdValue(ref w);
            }

            w.Write("baseRevision");
            if (baseRevision is null)
            {
                w.Write(0);
            }
            else
            {
                baseRevision(ref w);
            }

            w.Write("clientId");
            w.Write("raw");
            w.Write("clientSeq");
            if (clientSeq is null)
            {
                w.Write(1);
            }
            else
            {
                clientSeq(ref w);
            }

            w.Write("op");
            if (op is null)
            {
                w.WriteArrayHeader(2);
                w.Write(5);
                w.Write("!");
            }
            else
            {
                op(ref w);
            }

            extra?.Invoke(ref w);
        }));

    /// <summary>An op <c>[5, component]</c> over "fixed".</summary>
    private static Write OpWith(Write component) => (ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(2);
        w.Write(5);
        component(ref w);
    };

    private static Write Utf8(params byte[] bytes) => (ref MessagePackWriter w) =>
    {
        w.WriteStringHeader(bytes.Length);
        w.WriteRaw(bytes);
    };

    public static TheoryData<string, string> Shapes() => new()
    {
        { "op is binary data", "op.malformed" },
        { "op component is binary data", "op.malformed" },
        { "op component is NaN", "op.malformed" },
        { "op component is a float with a fraction", "op.malformed" },
        { "op component is the largest unsigned 64-bit integer", "op.malformed" },
        { "op component is the smallest 64-bit integer", "op.malformed" },
        { "op component is an extension value", "op.malformed" },
        { "op component is a map", "op.malformed" },
        { "op component is an empty string", "op.malformed" },
        { "op component encodes half of a surrogate pair", "op.splits_surrogate_pair" },
        { "op component is not UTF-8", "op.malformed" },
        { "op is missing", "op.malformed" },
        { "docId is binary data", "request.malformed" },
        { "baseRevision is a float", "request.malformed" },
        { "baseRevision is an unsigned 64-bit integer", "request.malformed" },
        { "baseRevision is past int", "request.malformed" },
        { "clientSeq is the largest unsigned 64-bit integer", "request.malformed" },
        { "clientTime is a number", "request.malformed" },
        { "a map key is an integer", "request.malformed" },
        { "the request is binary data", "request.malformed" },
        { "the request is an array", "request.malformed" },
        { "an unknown field nests half a million arrays", "op.malformed" },
    };

    private static RawArgument Shape(string shape, string docId) => shape switch
    {
        "op is binary data" => Submit(docId, op: (ref MessagePackWriter w) => w.Write(new byte[] { 5, 33 })),
        "op component is binary data" => Submit(docId, op: OpWith((ref MessagePackWriter w) => w.Write(new byte[] { 33 }))),
        "op component is NaN" => Submit(docId, op: OpWith((ref MessagePackWriter w) => w.Write(double.NaN))),
        "op component is a float with a fraction" => Submit(docId, op: OpWith((ref MessagePackWriter w) => w.Write(1.5))),
        "op component is the largest unsigned 64-bit integer" => Submit(docId, op: OpWith((ref MessagePackWriter w) => w.Write(ulong.MaxValue))),
        "op component is the smallest 64-bit integer" => Submit(docId, op: OpWith((ref MessagePackWriter w) => w.Write(long.MinValue))),
        "op component is an extension value" => Submit(docId, op: OpWith((ref MessagePackWriter w) => w.WriteExtensionFormat(new ExtensionResult(7, new byte[] { 1 })))),
        "op component is a map" => Submit(docId, op: OpWith((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(1);
            w.Write("insert");
            w.Write("!");
        })),
        "op component is an empty string" => Submit(docId, op: OpWith((ref MessagePackWriter w) => w.Write(""))),

        // What a JavaScript encoder writes for "\ud83d" (a lone high surrogate) in UTF-8's three-byte form.
        "op component encodes half of a surrogate pair" => Submit(docId, op: OpWith(Utf8(0xED, 0xA0, 0xBD))),
        "op component is not UTF-8" => Submit(docId, op: OpWith(Utf8(0x21, 0xFF))),
        "op is missing" => new(Bytes((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(4);
            w.Write("docId");
            w.Write(docId);
            w.Write("baseRevision");
            w.Write(0);
            w.Write("clientId");
            w.Write("raw");
            w.Write("clientSeq");
            w.Write(1);
        })),
        "docId is binary data" => Submit(docId, docIdValue: (ref MessagePackWriter w) => w.Write(System.Text.Encoding.UTF8.GetBytes(docId))),
        "baseRevision is a float" => Submit(docId, baseRevision: (ref MessagePackWriter w) => w.Write(0.0)),
        "baseRevision is an unsigned 64-bit integer" => Submit(docId, baseRevision: (ref MessagePackWriter w) => w.Write(ulong.MaxValue)),
        "baseRevision is past int" => Submit(docId, baseRevision: (ref MessagePackWriter w) => w.Write((long)int.MaxValue + 1)),
        "clientSeq is the largest unsigned 64-bit integer" => Submit(docId, clientSeq: (ref MessagePackWriter w) => w.Write(ulong.MaxValue)),
        "clientTime is a number" => Submit(docId, extra: (ref MessagePackWriter w) =>
        {
            w.Write("clientTime");
            w.Write(1_765_000_000);
        }),
        "a map key is an integer" => Submit(docId, extra: (ref MessagePackWriter w) =>
        {
            w.Write(7);
            w.Write(7);
        }),
        "the request is binary data" => new(Bytes((ref MessagePackWriter w) => w.Write(new byte[] { 1, 2, 3 }))),
        "the request is an array" => new(Bytes((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            w.Write(docId);
        })),

        // Refused for its op ([5, "!", then a nil]), after the whole depth was skipped without recursion.
        "an unknown field nests half a million arrays" => Submit(docId, op: (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(3);
            w.Write(5);
            w.Write("!");
            w.WriteNil();
        }, extra: (ref MessagePackWriter w) =>
        {
            w.Write("padding");
            for (var i = 0; i < 500_000; i++)
            {
                w.WriteArrayHeader(1);
            }

            w.WriteNil();
        }),
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    /// <summary>A MessagePack connection whose arguments are written as given (<see cref="RawArgument"/>).</summary>
    private HubConnection RawMessagePack(string token)
    {
        var options = MessagePackSerializerOptions.Standard.WithResolver(
            CompositeResolver.Create([new RawArgumentFormatter()], [ContractlessStandardResolver.Instance]));
        var builder = new HubConnectionBuilder().WithUrl(node.HubUrl, o => o.AccessTokenProvider = () => Task.FromResult<string?>(token));
        builder.Services.AddSingleton<IHubProtocol>(new MessagePackHubProtocol(Options.Create(new MessagePackHubProtocolOptions { SerializerOptions = options })));
        return builder.Build();
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task MalformedMessagePackGetsATypedCodeChangesNothingAndTheConnectionStaysUsable(string shape, string code)
    {
        var workshop = await node.WorkshopAsync();
        var docId = await workshop.NewDocumentAsync("Lessons", "fixed");
        await using var connection = RawMessagePack((await node.MemberAsync("Packer")).Token);
        await connection.StartAsync();
        await connection.InvokeAsync<object>("OpenDocument", new Dictionary<string, object?> { ["docId"] = docId, ["lastRevision"] = null });

        var refused = await Assert.ThrowsAsync<HubException>(() => connection.InvokeCoreAsync<object>("SubmitOp", [Shape(shape, docId)]));

        Assert.Equal(code, HubErrors.CodeOf(refused));
        var server = await workshop.OkAsync<TextAtRevision>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{docId}/text");
        Assert.Equal(("fixed", 0), (server.Text, server.Revision));
        var ack = (IDictionary<object, object>)(await connection.InvokeCoreAsync<object>("SubmitOp", [Submit(docId)]))!;
        Assert.Equal(1, Convert.ToInt32(ack["revision"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task MalformedFieldIsNamedInTheRefusal()
    {
        var workshop = await node.WorkshopAsync();
        var docId = await workshop.NewDocumentAsync("Lessons", "fixed");
        await using var connection = RawMessagePack((await node.MemberAsync("Namer")).Token);
        await connection.StartAsync();

        var refused = await Assert.ThrowsAsync<HubException>(() =>
            connection.InvokeCoreAsync<object>("SubmitOp", [Submit(docId, baseRevision: (ref MessagePackWriter w) => w.Write("0"))]));
        var component = await Assert.ThrowsAsync<HubException>(() =>
            connection.InvokeCoreAsync<object>("SubmitOp", [Submit(docId, op: OpWith((ref MessagePackWriter w) => w.Write(true)))]));

        Assert.Contains("'baseRevision'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Component 1 is a boolean", component.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MessagePackClientSeesTheSameMessagesAsAJsonClient()
    {
        var workshop = await node.WorkshopAsync();
        var docId = await workshop.NewDocumentAsync("Lessons", "Défis");
        var member = await node.MemberAsync("Bilingual");
        await using var json = node.Raw(member.Token);
        await using var packed = node.Raw(member.Token, CollabHubProtocol.MessagePack);
        await json.StartAsync();
        await packed.StartAsync();

        var openedOverJson = await json.InvokeAsync<JsonElement>("OpenDocument", new { docId, lastRevision = (int?)null });
        var openedOverMessagePack = await packed.InvokeAsync<JsonElement>("OpenDocument", new { docId, lastRevision = (int?)null });
        var enteredOverJson = await json.InvokeAsync<JsonElement>("EnterWorkshop");
        var enteredOverMessagePack = await packed.InvokeAsync<JsonElement>("EnterWorkshop");

        // Field for field (presence lists the two connections in either order).
        Assert.True(JsonNode.DeepEquals(Without(openedOverJson, "presence"), Without(openedOverMessagePack, "presence")), $"{openedOverJson} vs {openedOverMessagePack}");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(enteredOverJson.GetRawText()), JsonNode.Parse(enteredOverMessagePack.GetRawText())), $"{enteredOverJson} vs {enteredOverMessagePack}");
    }

    private static JsonNode Without(JsonElement element, string property)
    {
        var node = JsonNode.Parse(element.GetRawText())!.AsObject();
        node.Remove(property);
        return node;
    }
}
