namespace VoxelGan.Tensors.IO;

/// <summary>
/// Writes files under a temporary name in the same folder and renames them into place, so an
/// interrupted run leaves either the old file or the new one, never half of one. A run killed during
/// a write (kill -9) leaves its temporary file behind; the next write of the same file removes the
/// temporaries of processes that are no longer running.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes through <paramref name="write"/> into a temporary file, flushes it to disk, then renames it to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        RemoveStale(dir, Path.GetFileName(full));
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { /* best effort: the original error matters */ }
            throw;
        }
    }

    /// <summary>
    /// Deletes <c>.NAME.PID.GUID.tmp</c> files of <paramref name="name"/> whose writer process is gone
    /// (a writer that still runs may be writing it now). Returns how many were removed.
    /// </summary>
    public static int RemoveStale(string dir, string name)
    {
        int removed = 0;
        foreach (var temp in Directory.EnumerateFiles(dir, $".{name}.*.tmp"))
        {
            var parts = Path.GetFileName(temp)[(name.Length + 2)..].Split('.');
            if (parts.Length != 3 || !int.TryParse(parts[0], out int pid) || IsRunning(pid)) continue;
            try
            {
                File.Delete(temp);
                removed++;
            }
            catch (IOException) { /* another process cleaned it up first */ }
        }
        return removed;
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
    }

    /// <summary>Writes UTF-8 text atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s, leaveOpen: true); w.Write(text); });
}
