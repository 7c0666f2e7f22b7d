namespace Zoptal.Perf.Core.IO;

/// <summary>
/// Files written whole or not at all: into a temporary file beside the target, flushed to disk, then renamed over
/// it, so a reader (or a crash, or a full disk) never sees half a file.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes through a stream.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var temporary = path + ".tmp";
        try
        {
            using (var stream = File.Create(temporary))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes a text (UTF-8, no byte order mark).</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream => stream.Write(new System.Text.UTF8Encoding(false).GetBytes(text)));
}
