using ILGPU;
using ILGPU.Runtime.Cuda;
using VoxelGan.Tensors;

namespace VoxelGan.Tensors.Tests;

public class DeviceAndShapeTests
{
    [Theory]
    [InlineData("cpu", DeviceKind.Cpu)]
    [InlineData("ilgpu-cpu", DeviceKind.IlgpuCpu)]
    [InlineData("CUDA", DeviceKind.Cuda)]
    [InlineData(" gpu ", DeviceKind.Cuda)]
    public void DeviceNamesParse(string text, DeviceKind kind) => Assert.Equal(kind, Device.ParseKind(text));

    [Fact]
    public void AutoAndEmptyMeanChooseForMe()
    {
        Assert.Null(Device.ParseKind(null));
        Assert.Null(Device.ParseKind("auto"));
        var e = Assert.Throws<DeviceException>(() => Device.ParseKind("tpu", "--device"));
        Assert.Contains("--device", e.Message);
        Assert.Contains("tpu", e.Message);
    }

    [Fact]
    public void AskingForCudaWithoutOneIsAClearError()
    {
        using var probe = Context.Create(b => b.Cuda());
        if (probe.GetCudaDevices().Count > 0)
        {
            using var cuda = Device.Create(DeviceKind.Cuda);
            Assert.Equal(DeviceKind.Cuda, cuda.Kind);
            return;
        }
        var e = Assert.Throws<DeviceException>(() => Device.Create(DeviceKind.Cuda));
        Assert.Contains("CUDA", e.Message);
    }

    [Fact]
    public void CpuDevicesUseEveryCoreAndDescribeThemselves()
    {
        using var cpu = Device.Create(DeviceKind.Cpu);
        Assert.Equal(DeviceKind.Cpu, cpu.Kind);
        Assert.True(cpu.MemoryBytes > 0);
        Assert.Contains(cpu.Describe(), l => l.Label == "threads" && l.Value.StartsWith($"{Environment.ProcessorCount} ", StringComparison.Ordinal));
        using var ilgpu = Device.Create(DeviceKind.IlgpuCpu);
        Assert.Equal(DeviceKind.IlgpuCpu, ilgpu.Kind);
        Assert.Contains(ilgpu.Describe(), l => l.Label == "threads" && l.Value.Contains($"({Environment.ProcessorCount} multiprocessors", StringComparison.Ordinal));
    }

    [Fact]
    public void ShapesValidateTheirExtents()
    {
        Assert.Throws<ShapeException>(() => new Shape(2, -1));
        Assert.Throws<ShapeException>(() => new Shape(1 << 16, 1 << 16));
        Assert.Equal(1, Shape.Scalar.Numel);
        Assert.Equal("[2, 3]", new Shape(2, 3).ToString());
        Assert.Equal(new[] { 12, 4, 1 }, new Shape(2, 3, 4).Strides());
        Assert.Equal(new Shape(5, 1, 3), new Shape(5, 1, 3));
        Assert.NotEqual(new Shape(5, 3), new Shape(3, 5));
    }

    [Fact]
    public void DTypesParseAndHaveSizes()
    {
        Assert.Equal(DType.Float16, DTypeInfo.Parse("fp16"));
        Assert.Equal(8, DType.Float64.Size());
        Assert.Throws<ArgumentException>(() => DTypeInfo.Parse("int8"));
    }

    [Fact]
    public void IlgpuDevicesCountLaunchesAndHostSyncsAndTheHostBackendCountsNothing()
    {
        // Own devices: the shared test devices are used by tests running in parallel.
        using var ilgpu = Device.Create(DeviceKind.IlgpuCpu);
        using (TensorScope.Begin())
        {
            var a = Tensor.FromArray(new[] { 1.0, 2, 3 }, device: ilgpu);
            ilgpu.Counters.Reset();
            var sum = Ops.Sum(Ops.Add(a, a));
            long launches = ilgpu.Counters.Launches;
            Assert.True(launches >= 2, $"add and sum launched {launches} kernels");
            Assert.Equal(0, ilgpu.Counters.HostSyncs);
            Assert.Equal(12.0, sum.Item());
            Assert.Equal(1, ilgpu.Counters.HostSyncs);
            Assert.Equal(launches, ilgpu.Counters.Launches);
            // Several scalars of mixed dtypes come back with one read.
            var values = Ops.ReadScalars([sum, Ops.Max(a), Tensor.FromArray(new[] { 0.25f }, device: ilgpu), Ops.Reshape(Tensor.FromArray(new[] { -1.5 }, device: ilgpu), 1, 1)]);
            Assert.Equal([12.0, 3.0, 0.25, -1.5], values);
            Assert.Equal(2, ilgpu.Counters.HostSyncs);
            Assert.Contains("one-element", Assert.Throws<ShapeException>(() => Ops.ReadScalars([a])).Message);
            Assert.Empty(Ops.ReadScalars([]));
        }
        using var host = Device.Create(DeviceKind.Cpu);
        using (TensorScope.Begin())
        {
            host.Counters.Reset();
            var b = Tensor.FromArray(new[] { 1.0, 2 }, device: host);
            Assert.Equal(6.0, Ops.Sum(Ops.Add(b, b)).Item());
            Assert.Equal((0L, 0L), (host.Counters.Launches, host.Counters.HostSyncs));
        }
    }
}
