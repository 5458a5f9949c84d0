using System.Runtime.InteropServices;

namespace VoxelGan.Tensors.IO;

/// <summary>
/// The one rule every reader follows before it allocates: only regular files are read (a device such
/// as /dev/zero would be read without end, and opening a FIFO blocks until a writer appears), a file is
/// at most <see cref="MaxBytes"/>, and a size a header declares is multiplied out with overflow-safe
/// arithmetic and compared with what the file holds and with a budget. Errors name the file.
/// </summary>
public static unsafe class InputFile
{
    /// <summary>Largest file a reader loads (4 GiB).</summary>
    public const long MaxBytes = 4L << 30;

    /// <summary>Largest number of elements an array read from a file may declare (2^30, a 1024^3 volume).</summary>
    public const long MaxElements = 1L << 30;

    /// <summary>Throws unless <paramref name="path"/> is an existing regular file (symbolic links are followed).</summary>
    public static void RequireRegular(string path)
    {
        if (Directory.Exists(path)) throw new IOException($"{path} is a folder, not a file");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        if (!IsRegular(path)) throw new IOException($"{path} is not a regular file (a device, a pipe or a socket); only files on disk are read");
    }

    /// <summary>The file's bytes, after <see cref="RequireRegular"/> and a size check against <paramref name="maxBytes"/>.</summary>
    public static byte[] ReadAllBytes(string path, long maxBytes = MaxBytes)
    {
        RequireRegular(path);
        long length = new FileInfo(path).Length;
        if (length > maxBytes) throw new IOException($"{path}: {length:N0} bytes is more than the {maxBytes:N0} this reader accepts");
        return File.ReadAllBytes(path);
    }

    /// <summary>A read stream on a regular file.</summary>
    public static FileStream OpenRead(string path)
    {
        RequireRegular(path);
        return File.OpenRead(path);
    }

    /// <summary>
    /// The number of elements of <paramref name="extents"/>, multiplied without overflow and refused when
    /// it exceeds <see cref="MaxElements"/>; <paramref name="what"/> names the file and the array in the error.
    /// </summary>
    public static long ElementCount(string what, IReadOnlyList<long> extents)
    {
        Int128 count = 1;
        foreach (long e in extents)
        {
            if (e < 0) throw new InvalidDataException($"{what}: extent {e} in shape ({string.Join(", ", extents)}) is negative");
            count *= e;
            if (count > MaxElements)
                throw new InvalidDataException($"{what}: shape ({string.Join(", ", extents)}) declares more than {MaxElements:N0} elements (the reader's limit, a 1024^3 volume)");
        }
        return (long)count;
    }

    private static bool IsRegular(string path)
    {
        const uint TypeMask = 0xF000, Regular = 0x8000;
        int offset = OperatingSystem.IsLinux() ? RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24, // struct stat: st_dev, st_ino, st_nlink (8 bytes each), st_mode
            Architecture.Arm64 => 16, // st_dev, st_ino, st_mode
            _ => -1,
        } : OperatingSystem.IsMacOS() ? 4 : -1; // macOS: dev_t (4 bytes), mode_t (2 bytes)
        if (offset < 0) return true; // no FIFOs or device paths to guard against there (Windows), or an unknown layout
        byte* buffer = stackalloc byte[512];
        try
        {
            if (Stat(path, buffer) != 0) return true; // let the open report the error
        }
        catch (EntryPointNotFoundException)
        {
            return true; // a C library without a 'stat' symbol (glibc before 2.33): not checked
        }
        uint mode = OperatingSystem.IsMacOS() ? *(ushort*)(buffer + offset) : *(uint*)(buffer + offset);
        return (mode & TypeMask) == Regular;
    }

    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte* buffer);
}
