namespace Zoptal.Perf.Core.IO;

/// <summary>
/// Files written whole or not at all: into a temporary file beside the target, flushed to disk, then renamed over
/// it, so a reader (or a crash, or a full disk) never sees half a file.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes through a stream; <paramref name="mode"/> sets the new file's permissions (Unix), else the default.</summary>
    public static void Write(string path, Action<Stream> write, UnixFileMode? mode = null)
    {
        // A name of its own, so a user's "x.tmp" beside "x" is never overwritten.
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = File.Create(temporary))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            if (mode is { } m && !OperatingSystem.IsWindows())
                File.SetUnixFileMode(temporary, m);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes bytes, with the permissions given (Unix).</summary>
    public static void WriteAllBytes(string path, byte[] bytes, UnixFileMode? mode = null) => Write(path, stream => stream.Write(bytes), mode);

    /// <summary>Writes a text (UTF-8, no byte order mark).</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream => stream.Write(new System.Text.UTF8Encoding(false).GetBytes(text)));
}
