using VoxelGan.Tensors;
using VoxelGan.TestSupport;

namespace VoxelGan.Tensors.Tests;

public class MemoryTests
{
    private static Device D => TestDevice.Instance;

    private static void Step()
    {
        using var scope = TensorScope.Begin();
        var x = Ops.Normal(new Shape(8, 33), new RandomGenerator(1), device: D);
        var w = Ops.Normal(new Shape(33, 17), new RandomGenerator(2), device: D);
        var y = Ops.Tanh(Ops.MatMul(x, w));
        _ = Ops.Mean(Ops.Square(y)).Item();
    }

    [Fact]
    public void RepeatedStepsReuseThePoolAndFreeEverything()
    {
        Step(); // warm: buckets get created
        int live = D.LiveTensors;
        long inUse = D.Pool.BytesInUse;
        long allocations = D.Pool.DeviceAllocations;
        for (int i = 0; i < 20; i++) Step();
        Assert.Equal(live, D.LiveTensors);
        Assert.Equal(inUse, D.Pool.BytesInUse);
        Assert.Equal(allocations, D.Pool.DeviceAllocations);
    }

    [Fact]
    public void ScopesDisposeWhatTheyOwnExceptWhatMovesOut()
    {
        int live = D.LiveTensors;
        Tensor kept, dropped;
        using (var outer = TensorScope.Begin())
        {
            using (TensorScope.Begin())
            {
                dropped = Tensor.Zeros(new Shape(3), device: D);
                kept = Ops.AddScalar(dropped, 1).MoveToOuter();
            }
            Assert.True(dropped.IsDisposed);
            Assert.False(kept.IsDisposed);
            Assert.Equal(new[] { 1.0, 1, 1 }, kept.ToDoubleArray());
            Assert.Equal(1, outer.Count);
        }
        Assert.True(kept.IsDisposed);
        Assert.Equal(live, D.LiveTensors);
        Assert.Throws<ObjectDisposedException>(() => kept.ToArray<float>());
    }

    [Fact]
    public void DetachedTensorsOutliveScopesUntilDisposed()
    {
        Tensor t;
        using (TensorScope.Begin()) t = Tensor.Zeros(new Shape(4), device: D).Detach();
        Assert.False(t.IsDisposed);
        t.Dispose();
        t.Dispose(); // idempotent
        Assert.True(t.IsDisposed);
    }

    [Fact]
    public void ScopesMustCloseInnermostFirst()
    {
        var outer = TensorScope.Begin();
        var inner = TensorScope.Begin();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose();
        Assert.Null(TensorScope.Current);
    }

    [Fact]
    public void TrimReleasesCachedBuffers()
    {
        using (TensorScope.Begin()) _ = Tensor.Zeros(new Shape(1000), device: D);
        Assert.True(D.Pool.BytesCached > 0);
        D.Pool.Trim();
        Assert.Equal(0, D.Pool.BytesCached);
    }

    [Theory]
    [InlineData(1, 256)]
    [InlineData(257, 512)]
    [InlineData(65536, 65536)]
    [InlineData(65537, 73728)]
    [InlineData(1 << 20, 1 << 20)]
    public void BucketsWasteAtMostAnEighth(long request, long bucket)
    {
        Assert.Equal(bucket, MemoryPool.BucketSize(request));
        for (long n = 1; n < 5_000_000; n = n * 3 + 1)
        {
            long b = MemoryPool.BucketSize(n);
            Assert.True(b >= n && (n < 256 || b <= n + Math.Max(255, n / 8)), $"{n} -> {b}");
        }
    }

    [Fact]
    public void FromArrayChecksTheElementCount()
    {
        var e = Assert.Throws<ShapeException>(() => Tensor.FromArray(new float[5], new Shape(2, 3), D));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("5", e.Message);
    }

    [Fact]
    public void ViewingWithTheWrongTypeIsAnError()
    {
        using var t = Tensor.Zeros(new Shape(2), DType.Float64, D);
        Assert.Throws<InvalidOperationException>(() => t.ToArray<float>());
    }
}

public sealed class AtomicFileTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("voxelgan-atomic-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void AFailureHalfwayLeavesTheOldFileAndNoTemporary()
    {
        var path = Path.Combine(_dir.FullName, "f.txt");
        IO.AtomicFile.WriteAllText(path, "old");
        Assert.Throws<IOException>(() => IO.AtomicFile.Write(path, s =>
        {
            s.Write("new data, half of it"u8);
            throw new IOException("disk full");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(_dir.GetFiles("*", SearchOption.AllDirectories));
        IO.AtomicFile.WriteAllText(Path.Combine(_dir.FullName, "sub", "g.txt"), "new");
        Assert.Equal("new", File.ReadAllText(Path.Combine(_dir.FullName, "sub", "g.txt")));
    }
}
