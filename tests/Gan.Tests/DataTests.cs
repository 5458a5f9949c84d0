using FsCheck;
using FsCheck.Fluent;
using VoxelGan.Gan.Data;
using VoxelGan.Tensors;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Gan.Tests;

public sealed class DataTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("voxelgan-data-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string P(string name) => Path.Combine(_dir.FullName, name);

    [FsCheck.Xunit.Property(MaxTest = 50)]
    public void LatinHypercubePutsExactlyOneCornerInEveryStratum(PositiveInt count, int seed)
    {
        int n = count.Get % 200 + 1;
        var points = LatinHypercube.Positions(n, seed);
        for (int axis = 0; axis < 3; axis++)
        {
            var strata = points.Select(p => (int)Math.Floor(p[axis] * n)).Order().ToArray();
            Assert.Equal(Enumerable.Range(0, n), strata);
        }
    }

    [Fact]
    public void LatinHypercubeCornersStayInsideAndCutTheRightVoxels()
    {
        var values = Enumerable.Range(0, 10 * 12 * 14).Select(i => (float)i).ToArray();
        var v = new Volume(values, 10, 12, 14, "ramp");
        var corners = LatinHypercube.Corners(20, 4, [10, 12, 14], 3);
        Assert.All(corners, c => Assert.True(c[0] is >= 0 and <= 6 && c[1] is >= 0 and <= 8 && c[2] is >= 0 and <= 10));
        var sub = LatinHypercube.Cut(v, corners[0], 4, "sub");
        Assert.Equal(v[corners[0][0] + 1, corners[0][1] + 2, corners[0][2] + 3], sub[1, 2, 3]);
        Assert.Contains("do not fit axis 0", Assert.Throws<ArgumentException>(() => LatinHypercube.Corners(5, 11, [10, 12, 14], 1)).Message);
    }

    [Theory]
    [InlineData(16, 2.0, 0.2, 1)]
    [InlineData(32, 4.0, 0.2, 2)]
    public void PeriodicSpheresReachTheFractionWithoutOverlap(int size, double radius, double fraction, int seed)
    {
        var (phases, centres) = SpherePacking.Pack(size, radius, fraction, seed);
        double f = phases.Count(p => p == 1) / (double)phases.Length;
        Assert.InRange(f, fraction, fraction + 0.05);
        Assert.Equal(phases, SpherePacking.Generate(size, radius, fraction, seed)); // same seed, same volume
        for (int i = 0; i < centres.Count; i++)
            for (int j = 0; j < i; j++)
                Assert.True(SpherePacking.Distance2(centres[i], centres[j], size) >= 4 * radius * radius, $"spheres {i} and {j} overlap");
        // Periodic: a voxel is inclusion exactly when it lies within r of a centre by the minimum-image
        // distance, so spheres that cross a face continue on the opposite face.
        int wrapped = 0;
        for (int a = 0; a < size; a++)
        for (int b = 0; b < size; b++)
        for (int c = 0; c < size; c++)
        {
            var v = (a + 0.5, b + 0.5, c + 0.5);
            bool inside = centres.Any(o => SpherePacking.Distance2(v, o, size) <= radius * radius);
            Assert.Equal(inside, phases[(a * size + b) * size + c] == 1);
            if (inside && centres.All(o => Math.Pow(v.Item1 - o.X, 2) + Math.Pow(v.Item2 - o.Y, 2) + Math.Pow(v.Item3 - o.Z, 2) > radius * radius)) wrapped++;
        }
        Assert.True(wrapped > 0, "no sphere crosses a face; the check of periodicity saw nothing");
    }

    [Fact]
    public void ImpossibleSphereRequestsAreClearErrors()
    {
        Assert.Contains("fit", Assert.Throws<ArgumentException>(() => SpherePacking.Generate(8, 5, 0.2, 1)).Message);
        Assert.Contains("(0, 1)", Assert.Throws<ArgumentException>(() => SpherePacking.Generate(8, 2, 1.5, 1)).Message);
    }

    [Fact]
    public void FibresReachTheirFraction()
    {
        var phases = FibreComposite.Generate(24, 24, 24, 1.5, 12, 0.1, 3);
        Assert.InRange(phases.Count(p => p == 1) / (double)phases.Length, 0.1, 0.14);
    }

    [Fact]
    public void VolumesRoundTripThroughEveryFormat()
    {
        var rng = new Random(4);
        var v = new Volume(Enumerable.Range(0, 3 * 4 * 5).Select(_ => (float)rng.Next(0, 200)).ToArray(), 3, 4, 5, "v");
        VolumeFile.Write(P("v.npy"), v);
        VolumeFile.Write(P("v.vti"), v);
        TiffStack.Write(P("v.tif"), v);
        File.WriteAllBytes(P("v.raw"), Array.ConvertAll(v.Values, x => (byte)x));
        foreach (var (file, dims) in new[] { ("v.npy", (int[]?)null), ("v.vti", null), ("v.tif", null), ("v.raw", new[] { 3, 4, 5 }) })
        {
            var back = VolumeFile.Read(P(file), dims);
            Assert.Equal((3, 4, 5), (back.D, back.H, back.W));
            Assert.Equal(v.Values, back.Values);
        }
        Assert.Empty(_dir.GetFiles("*.tmp"));
    }

    [Fact]
    public void BigEndianTiffAndFortranOrderNpyAreRead()
    {
        // A 2-page 2x3 big-endian uint16 TIFF written by hand.
        var b = new List<byte>();
        void U16(int v) { b.Add((byte)(v >> 8)); b.Add((byte)v); }
        void U32(long v) { U16((int)(v >> 16)); U16((int)(v & 0xFFFF)); }
        b.AddRange("MM"u8.ToArray()); U16(42); U32(8);
        for (int page = 0; page < 2; page++)
        {
            long ifd = b.Count, data = ifd + 2 + 12 * 6 + 4;
            U16(6);
            void Entry(int tag, int type, long value) { U16(tag); U16(type); U32(1); if (type == 3) { U16((int)value); U16(0); } else U32(value); }
            Entry(256, 3, 3); Entry(257, 3, 2); Entry(258, 3, 16); Entry(273, 4, data); Entry(278, 3, 2); Entry(279, 4, 12);
            U32(page == 0 ? data + 12 : 0);
            for (int i = 0; i < 6; i++) U16(1000 * page + i);
        }
        File.WriteAllBytes(P("be.tif"), b.ToArray());
        var t = VolumeFile.Read(P("be.tif"));
        Assert.Equal((2, 2, 3), (t.D, t.H, t.W));
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5, 1000, 1001, 1002, 1003, 1004, 1005 }, t.Values);

        // Fortran order: the first axis runs fastest in the file.
        var header = "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }";
        header = header.PadRight(64 - 10 - 1) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray()); bytes.Add(1); bytes.Add(0); bytes.Add((byte)header.Length); bytes.Add(0);
        bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(header));
        bytes.AddRange(new byte[] { 0, 3, 1, 4, 2, 5 }); // column-major of [[0, 1, 2], [3, 4, 5]]
        var a = NpyFile.Parse(bytes.ToArray());
        Assert.Equal([2, 3], a.Shape);
        Assert.Equal(new double[] { 0, 1, 2, 3, 4, 5 }, a.Values);
    }

    [Fact]
    public void MalformedFilesNameTheProblem()
    {
        File.WriteAllBytes(P("short.tif"), "II"u8.ToArray());
        Assert.Contains("short.tif", Assert.ThrowsAny<Exception>(() => VolumeFile.Read(P("short.tif"))).Message);
        File.WriteAllText(P("bad.vti"), "<VTKFile type=\"PolyData\"/>");
        Assert.Contains("not a VTK ImageData file", Assert.Throws<InvalidDataException>(() => VolumeFile.Read(P("bad.vti"))).Message);
        NpyFile.Write(P("vec.npy"), new float[4], 4);
        Assert.Contains("3D array", Assert.Throws<ShapeException>(() => VolumeFile.Read(P("vec.npy"))).Message);
        File.WriteAllBytes(P("x.raw"), new byte[8]);
        Assert.Contains("--dims", Assert.Throws<ArgumentException>(() => VolumeFile.Read(P("x.raw"))).Message);
    }

    [Fact]
    public void DatasetsAreStandardizedWithTheirLambdaRange()
    {
        var data = Dataset.Spheres(3, 16, 2);
        var s = data.Stats;
        Assert.InRange(s.Mean, 0.2, 0.26);
        Assert.Equal(Math.Sqrt(s.Mean * (1 - s.Mean)), s.Std, 1e-9); // binary data
        Assert.Equal(-s.Mean / s.Std, s.LambdaMin, 1e-9);
        Assert.Equal((1 - s.Mean) / s.Std, s.LambdaMax, 1e-9);
        using var t = data.ToTensor(TestSupport.TestDevice.Instance);
        var values = t.ToArray<float>();
        Assert.Equal(0, values.Average(), 5);
        Assert.Contains("cubes", Assert.Throws<ShapeException>(() => Dataset.FromVolumes([new Volume(new float[8], 2, 2, 2, "a"), new Volume(new float[12], 2, 2, 3, "b")], "x")).Message);
    }

    [Fact]
    public void TheAuthorsGeneratorPutsIntegerCentresInZeroToSizeMinusTwo()
    {
        // tf.random.uniform(maxval=n-1) excludes n-1: centres 0..n-2 (voxel centres at +0.5 here).
        var (_, centres) = SpherePacking.Pack(8, 1, 0.3, 5, SphereStyle.Authors);
        Assert.True(centres.Count > 20);
        Assert.All(centres, c => Assert.All(new[] { c.X, c.Y, c.Z }, v => Assert.InRange(v, 0.5, 8 - 1.5)));
        Assert.Contains(centres, c => c.X == 6.5 || c.Y == 6.5 || c.Z == 6.5);
    }

    [Fact]
    public void InMemorySpheresFollowTheDataStyle()
    {
        var authors = new VoxelGan.Gan.Training.DataSpec("spheres", 2, 3, SphereStyle.Authors).Load(8);
        Assert.Equal(Dataset.Spheres(2, 8, 3, SphereStyle.Authors).Volumes[1].Values, authors.Volumes[1].Values);
        Assert.NotEqual(Dataset.Spheres(2, 8, 3).Volumes[1].Values, authors.Volumes[1].Values);
    }
}
