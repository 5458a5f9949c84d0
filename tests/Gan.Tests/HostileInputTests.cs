using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using VoxelGan.Gan.Data;

namespace VoxelGan.Gan.Tests;

/// <summary>
/// Hostile volume files, built here: headers whose declared sizes overflow or amplify, device files and
/// FIFOs, NaN voxels in every format, malformed .vti. Each must be a clear error naming the file, raised
/// before anything large is allocated, never a hang, a crash or a silent wrong volume.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("voxelgan-hostile-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string P(string name) => Path.Combine(_dir.FullName, name);

    private static T Fails<T>(Action read, string path, string says) where T : Exception
    {
        var e = Assert.Throws<T>(read);
        Assert.Contains(path, e.Message);
        Assert.Contains(says, e.Message);
        return e;
    }

    private string Npy(string name, string descr, string shape, int dataBytes)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({shape}), }}";
        var header = dict.PadRight(118) + "\n";
        var bytes = new byte[10 + header.Length + dataBytes];
        new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header).CopyTo(bytes, 10);
        File.WriteAllBytes(P(name), bytes);
        return P(name);
    }

    [Theory]
    [InlineData("|u1")]
    [InlineData("<f2")]
    public void ANpyShapeThatWrapsAround2To64IsRefusedBeforeAllocating(string descr)
    {
        // 2^32 * 2^32 * 1 elements wrap to 0 in 64-bit arithmetic; the file has 128 data bytes.
        var path = Npy("wrap.npy", descr, "4294967296, 4294967296, 1", 128);
        Fails<InvalidDataException>(() => VolumeFile.Read(path), path, "declares more than");
    }

    [Fact]
    public void ARawVolumeWhoseDimensionsOverflowIsRefused()
    {
        File.WriteAllBytes(P("wrap.raw"), new byte[128]);
        Fails<ArgumentException>(() => VolumeFile.Read(P("wrap.raw"), [2097152, 2097152, 4194304]), P("wrap.raw"), "exceed the limit");
    }

    [Fact]
    public void DeviceFilesAndFifosAreRefusedWithoutReadingOrBlocking()
    {
        Assert.True(OperatingSystem.IsLinux(), "this test builds Linux device links and FIFOs");
        File.CreateSymbolicLink(P("zero.npy"), "/dev/zero");
        Fails<IOException>(() => VolumeFile.Read(P("zero.npy")), P("zero.npy"), "not a regular file");
        using (var mkfifo = Process.Start("mkfifo", P("pipe.raw"))!) mkfifo.WaitForExit();
        var clock = Stopwatch.StartNew();
        Fails<IOException>(() => VolumeFile.Read(P("pipe.raw"), [2, 2, 2]), P("pipe.raw"), "not a regular file");
        Assert.True(clock.Elapsed.TotalSeconds < 10);
    }

    [Fact]
    public void ATiffWhosePagesShareOneStripCannotDeclareAHugeStack()
    {
        // 1,100 pages of 1024 x 1024, every one pointing at the same 1 MiB strip: 1.1 G voxels from a 1 MiB file.
        const int pages = 1100, edge = 1024, entries = 6, ifdBytes = 2 + entries * 12 + 4;
        int strip = 8, firstIfd = strip + edge * edge;
        var b = new byte[firstIfd + pages * ifdBytes];
        "II"u8.CopyTo(b);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)firstIfd);
        for (int p = 0; p < pages; p++)
        {
            int at = firstIfd + p * ifdBytes;
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), entries);
            (ushort Tag, ushort Type, uint Value)[] tags = [(256, 4, edge), (257, 4, edge), (258, 3, 8), (273, 4, (uint)strip), (277, 3, 1), (279, 4, edge * edge)];
            for (int e = 0; e < entries; e++)
            {
                int t = at + 2 + 12 * e;
                BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(t), tags[e].Tag);
                BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(t + 2), tags[e].Type);
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(t + 4), 1);
                if (tags[e].Type == 3) BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(t + 8), (ushort)tags[e].Value);
                else BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(t + 8), tags[e].Value);
            }
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at + 2 + 12 * entries), p + 1 < pages ? (uint)(at + ifdBytes) : 0);
        }
        File.WriteAllBytes(P("bomb.tif"), b);
        Fails<ArgumentException>(() => VolumeFile.Read(P("bomb.tif")), P("bomb.tif"), "exceed the limit");
    }

    [Fact]
    public void ATiffTagDeclaringMoreValuesThanTheFileHoldsIsAClearError()
    {
        // One page whose StripOffsets tag claims 2^31 values ("Specified argument was out of the range" before).
        var b = new byte[8 + 2 + 12 + 4];
        "II"u8.CopyTo(b);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(10), 273);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(12), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(14), 0x80000000);
        File.WriteAllBytes(P("tags.tif"), b);
        Fails<InvalidDataException>(() => VolumeFile.Read(P("tags.tif")), P("tags.tif"), "more than the file's");
    }

    [Fact]
    public void NaNVoxelsAreRefusedInEveryFormat()
    {
        var values = new float[8];
        values[5] = float.NaN;
        var raw = new byte[32];
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(4 * i), values[i]);
        File.WriteAllBytes(P("nan.raw"), raw);
        Fails<InvalidDataException>(() => VolumeFile.Read(P("nan.raw"), [2, 2, 2], "float32"), P("nan.raw"), "not a finite number");
        File.WriteAllText(P("nan.vti"), Vti("0 1 0 1 0 1", "ascii", "0 0 0 0 0 NaN 0 0"));
        Fails<InvalidDataException>(() => VolumeFile.Read(P("nan.vti")), P("nan.vti"), "not a finite number");
        VoxelGan.Tensors.IO.NpyFile.Write(P("nan.npy"), values, 2, 2, 2);
        Fails<InvalidDataException>(() => VolumeFile.Read(P("nan.npy")), P("nan.npy"), "not a finite number");
        TiffStack.Write(P("nan.tif"), new Volume(values, 2, 2, 2, "nan"));
        Fails<InvalidDataException>(() => VolumeFile.Read(P("nan.tif")), P("nan.tif"), "not a finite number");
    }

    [Theory]
    [InlineData("0 one 0 1 0 1", "ascii", "0 0 0 0 0 0 0 0", "is not an integer")]
    [InlineData("0 1 0 1 0 1", "ascii", "0 0 zero 0 0 0 0 0", "is not a number")]
    [InlineData("0 1 0 1 0 1", "binary", "@@not base64@@", "not valid base64")]
    [InlineData("0 1 0 1 0 1", "binary", "AA==", "shorter than its size header")]
    public void MalformedVtiIsAClearError(string extent, string format, string data, string says)
    {
        File.WriteAllText(P("bad.vti"), Vti(extent, format, data));
        Fails<InvalidDataException>(() => VolumeFile.Read(P("bad.vti")), P("bad.vti"), says);
    }

    private static string Vti(string extent, string format, string data) =>
        $"""<?xml version="1.0"?><VTKFile type="ImageData" version="1.0" byte_order="LittleEndian" header_type="UInt32"><ImageData WholeExtent="{extent}" Origin="0 0 0" Spacing="1 1 1"><Piece Extent="{extent}"><PointData Scalars="v"><DataArray type="Float32" Name="v" format="{format}">{data}</DataArray></PointData></Piece></ImageData></VTKFile>""";
}

/// <summary>Interrupted and corrupted runs: stale temporaries, an unreadable latest checkpoint, NaN weights.</summary>
public sealed class RunFaultTests : IDisposable
{
    private static readonly VoxelGan.Gan.Models.GanConfig Tiny = new() { Size = 8, Ngf = 2, Ndf = 2, LatentDim = 8, MappingLayers = 2 };
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("voxelgan-faults-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Folder => Path.Combine(_dir.FullName, "run");

    private void TrainTwoSteps()
    {
        var options = new VoxelGan.Gan.Training.TrainOptions { Iterations = 2, BatchSize = 2, Precision = VoxelGan.Layers.Precision.Fp32, CheckpointEvery = 1, SampleEvery = 0 };
        using var run = VoxelGan.Gan.Training.TrainingRun.Start(Folder, Tiny, options, new VoxelGan.Gan.Training.DataSpec("spheres", 4, 1), VoxelGan.TestSupport.TestDevice.Instance);
        run.Run(CancellationToken.None);
    }

    [Fact]
    public void TheNextWriteRemovesTemporariesOfKilledWriters()
    {
        // A writer killed during an atomic write (kill -9) leaves .NAME.PID.GUID.tmp; PID is gone now.
        using var gone = Process.Start("true")!;
        gone.WaitForExit();
        string stale = Path.Combine(_dir.FullName, $".latest.safetensors.{gone.Id}.0123456789abcdef.tmp");
        string live = Path.Combine(_dir.FullName, $".latest.safetensors.{Environment.ProcessId}.fedcba9876543210.tmp");
        File.WriteAllBytes(stale, new byte[1000]);
        File.WriteAllBytes(live, new byte[10]);
        VoxelGan.Tensors.IO.AtomicFile.WriteAllText(Path.Combine(_dir.FullName, "latest.safetensors"), "x");
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(live), "a running writer's temporary is left alone");
    }

    [Fact]
    public void ResumeFallsBackToTheNewestIntactCheckpointAndSaysWhich()
    {
        TrainTwoSteps();
        var latest = Path.Combine(Folder, "latest.safetensors");
        File.WriteAllBytes(latest, File.ReadAllBytes(latest)[..100]); // truncated, as a full disk leaves it
        using var run = VoxelGan.Gan.Training.TrainingRun.Resume(Folder, VoxelGan.TestSupport.TestDevice.Instance, 3);
        Assert.Equal(Path.Combine(Folder, "checkpoints", "step_0000002.safetensors"), run.ResumedFrom);
        Assert.Equal(2, run.Trainer.Step);
        Assert.Contains(run.Skipped, s => s.StartsWith("latest.safetensors: ", StringComparison.Ordinal));
    }

    [Fact]
    public void AGeneratorWithNaNWeightsWritesNothing()
    {
        TrainTwoSteps();
        var latest = Path.Combine(Folder, "latest.safetensors");
        Poison(latest, "generator.");
        using var sampler = VoxelGan.Gan.Generation.Sampler.FromCheckpoint(latest, VoxelGan.TestSupport.TestDevice.Instance);
        var output = Path.Combine(_dir.FullName, "generated");
        var e = Assert.Throws<InvalidDataException>(() => sampler.WriteAll(output, 10, 1, 1));
        Assert.Contains(latest, e.Message);
        Assert.Contains("non-finite", e.Message);
        Assert.Empty(Directory.Exists(output) ? Directory.GetFiles(output, "*", SearchOption.AllDirectories) : []);
    }

    /// <summary>Multiplies the first weight of <paramref name="prefix"/> in a checkpoint by NaN.</summary>
    private static void Poison(string path, string prefix)
    {
        var (tensors, metadata) = VoxelGan.Layers.SafeTensors.Load(path, VoxelGan.TestSupport.TestDevice.Instance);
        var first = tensors.Keys.Order(StringComparer.Ordinal).First(k => k.StartsWith(prefix, StringComparison.Ordinal));
        var poisoned = VoxelGan.Tensors.Ops.MulScalar(tensors[first], double.NaN);
        tensors[first].Dispose();
        tensors[first] = poisoned;
        VoxelGan.Layers.SafeTensors.Save(path, tensors, metadata);
        foreach (var t in tensors.Values) t.Dispose();
    }

    [Fact]
    public void AfterNaNWeightsTheLastFiniteCheckpointIsNamed()
    {
        TrainTwoSteps();
        // latest.safetensors holds NaN weights, as when a step's update was non-finite and then saved.
        Poison(Path.Combine(Folder, "latest.safetensors"), "critic.");
        using var run = VoxelGan.Gan.Training.TrainingRun.Resume(Folder, VoxelGan.TestSupport.TestDevice.Instance);
        Assert.Equal(Path.Combine(Folder, "checkpoints", "step_0000002.safetensors"), run.LastFiniteCheckpoint());
    }
}
