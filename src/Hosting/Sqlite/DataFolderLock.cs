using Collab.Hosting.Configuration;

namespace Collab.Hosting.Sqlite;

/// <summary>
/// One process per data folder. Two embedded processes writing one SQLite file through separate silos would
/// each believe it is the only activation of every grain; the lock file makes the second one stop at start
/// with a clear message instead. The operating system drops the lock when the holder dies, even by SIGKILL.
/// </summary>
public sealed class DataFolderLock : IDisposable
{
    private readonly FileStream _handle;

    private DataFolderLock(FileStream handle, string path)
    {
        _handle = handle;
        FilePath = path;
    }

    public string FilePath { get; }

    public static DataFolderLock Acquire(string dataPath)
    {
        try
        {
            Directory.CreateDirectory(dataPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CollabStartupException(
                $"Cannot create the data folder '{dataPath}' ({CollabSettings.DataPathKey}): {e.Message}", e);
        }

        var path = Path.Combine(dataPath, "collab.lock");
        try
        {
            // FileShare.None takes an exclusive advisory lock on Unix and a sharing lock on Windows.
            var handle = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            handle.SetLength(0);
            using (var writer = new StreamWriter(handle, leaveOpen: true))
            {
                writer.Write($"pid {Environment.ProcessId} since {DateTimeOffset.UtcNow:O}\n");
            }

            handle.Flush(flushToDisk: true);
            return new DataFolderLock(handle, path);
        }
        catch (IOException e)
        {
            throw new CollabStartupException(
                $"The data folder '{dataPath}' is in use by another Collab process (lock file '{path}'). " +
                $"Stop that process, or give this one its own folder with {CollabSettings.DataPathKey}.", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CollabStartupException(
                $"Cannot open the lock file '{path}' in the data folder ({CollabSettings.DataPathKey}): {e.Message}", e);
        }
    }

    public void Dispose() => _handle.Dispose();
}
