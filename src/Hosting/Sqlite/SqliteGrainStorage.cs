using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Collab.Hosting.Sqlite;

/// <summary>
/// Grain state in the embedded SQLite file, with the same contract as the ADO.NET provider in clustered mode:
/// the etag is a row version, a write with a stale etag throws <see cref="InconsistentStateException"/> and
/// changes nothing, and a clear keeps the row (payload NULL) so that its version keeps counting.
/// </summary>
public sealed partial class SqliteGrainStorage(
    string name,
    SqliteDatabase database,
    IGrainStorageSerializer serializer,
    IActivatorProvider activators,
    TimeProvider clock,
    ILogger<SqliteGrainStorage> logger) : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload, version FROM grain_state WHERE grain_id = $grain AND state_name = $state;";
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        command.Parameters.AddWithValue("$state", stateName);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            grainState.State = activators.GetActivator<T>().Create();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        var version = reader.GetInt64(1);
        if (reader.IsDBNull(0))
        {
            grainState.State = activators.GetActivator<T>().Create();
            grainState.RecordExists = false;
        }
        else
        {
            grainState.State = serializer.Deserialize<T>(new BinaryData((byte[])reader.GetValue(0)));
            grainState.RecordExists = true;
        }

        grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var payload = serializer.Serialize(grainState.State).ToArray();
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        if (grainState.ETag is null)
        {
            command.CommandText =
                "INSERT INTO grain_state (grain_id, state_name, payload, version, updated_at) " +
                "VALUES ($grain, $state, $payload, 1, $now) ON CONFLICT DO NOTHING RETURNING version;";
        }
        else
        {
            command.CommandText =
                "UPDATE grain_state SET payload = $payload, version = version + 1, updated_at = $now " +
                "WHERE grain_id = $grain AND state_name = $state AND version = $version RETURNING version;";
            command.Parameters.AddWithValue("$version", ParseETag(grainState.ETag));
        }

        command.Parameters.AddWithValue("$grain", grainId.ToString());
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$payload", payload);
        command.Parameters.AddWithValue("$now", clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        var newVersion = await command.ExecuteScalarAsync();
        if (newVersion is null)
        {
            throw await ConflictAsync(connection, "write", stateName, grainId, grainState.ETag);
        }

        grainState.ETag = Convert.ToInt64(newVersion, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await database.OpenAsync();
        if (grainState.ETag is null)
        {
            // Nothing was ever read as stored; clearing is a no-op unless someone wrote meanwhile.
            if (await StoredVersionAsync(connection, stateName, grainId) is not null)
            {
                throw await ConflictAsync(connection, "clear", stateName, grainId, null);
            }

            grainState.State = activators.GetActivator<T>().Create();
            grainState.RecordExists = false;
            return;
        }

        await using var command = connection.CreateCommand();
        command.CommandText =
            "UPDATE grain_state SET payload = NULL, version = version + 1, updated_at = $now " +
            "WHERE grain_id = $grain AND state_name = $state AND version = $version RETURNING version;";
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$version", ParseETag(grainState.ETag));
        command.Parameters.AddWithValue("$now", clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        var newVersion = await command.ExecuteScalarAsync();
        if (newVersion is null)
        {
            throw await ConflictAsync(connection, "clear", stateName, grainId, grainState.ETag);
        }

        grainState.ETag = Convert.ToInt64(newVersion, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        grainState.State = activators.GetActivator<T>().Create();
        grainState.RecordExists = false;
    }

    private static long ParseETag(string etag) =>
        long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw new InconsistentStateException($"'{etag}' is not an etag of the SQLite grain storage.", "unknown", etag);

    private static async Task<long?> StoredVersionAsync(SqliteConnection connection, string stateName, GrainId grainId)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM grain_state WHERE grain_id = $grain AND state_name = $state;";
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        command.Parameters.AddWithValue("$state", stateName);
        return await command.ExecuteScalarAsync() is { } value ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : null;
    }

    private async Task<InconsistentStateException> ConflictAsync(
        SqliteConnection connection, string operation, string stateName, GrainId grainId, string? expected)
    {
        var stored = (await StoredVersionAsync(connection, stateName, grainId))?.ToString(CultureInfo.InvariantCulture) ?? "none";
        LogConflict(logger, name, operation, stateName, grainId, expected ?? "none", stored);
        return new InconsistentStateException(
            $"Stale {operation} of '{stateName}' for {grainId}: expected version {expected ?? "none"}, storage has {stored}.",
            stored,
            expected ?? "none");
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Storage {Provider} rejected a stale {Operation} of {StateName} for {GrainId}: expected version {Expected}, stored {Stored}")]
    private static partial void LogConflict(
        ILogger logger, string provider, string operation, string stateName, GrainId grainId, string expected, string stored);
}
