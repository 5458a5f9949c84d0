namespace VoxelGan.Tensors.Tests;

/// <summary>
/// <see cref="DeviceCounters.Timing"/>: every launch made while it is on is booked under its kernel and launch shape, none
/// while it is off, the waits it makes are not counted as the program's host synchronizations, and <see cref="DeviceCounters.Reset"/>
/// forgets the booked time. On a CPU accelerator of the class's own, so that other tests' launches do not land in its rows.
/// </summary>
public class DeviceCountersTests
{
    private static readonly Lazy<Device> OwnIlgpuCpu = new(() => Device.Create(DeviceKind.IlgpuCpu));

    [Fact]
    public void TimingBooksEachLaunchUnderItsKernelAndShapeOnlyWhileOn()
    {
        var d = OwnIlgpuCpu.Value;
        using var scope = TensorScope.Begin();
        var x = Tensor.Full(new Shape(64), 1.5, DType.Float32, d);
        d.Counters.Reset();
        Ops.AddScalar(x, 1);
        Assert.Empty(d.Counters.TimeByLaunch());

        d.Counters.Timing = true;
        try
        {
            Ops.AddScalar(x, 1);
            Ops.AddScalar(x, 2);
            Ops.MulScalar(Tensor.Full(new Shape(10), 1, DType.Float32, d), 3);
        }
        finally { d.Counters.Timing = false; }
        Ops.AddScalar(x, 3);

        var rows = d.Counters.TimeByLaunch();
        Assert.Contains(rows, r => r.Kernel == "ElementwiseKernels.Map<AddScalar>" && r.Shape == "work 64" && r.Launches == 2);
        Assert.Contains(rows, r => r.Kernel.StartsWith("FillKernels.", StringComparison.Ordinal) && r.Shape == "work 10" && r.Launches == 1);
        Assert.Contains(rows, r => r.Kernel == "ElementwiseKernels.Map<MulScalar>" && r.Shape == "work 10" && r.Launches == 1);
        Assert.Equal(4, rows.Sum(r => r.Launches));
        Assert.All(rows, r => Assert.True(r.Seconds > 0, $"{r.Kernel} {r.Shape}: {r.Seconds} s"));
        Assert.Equal(6, d.Counters.Launches);
        Assert.Equal(0, d.Counters.HostSyncs);

        d.Counters.Reset();
        Assert.Empty(d.Counters.TimeByLaunch());
        Assert.Equal(0, d.Counters.Launches);
    }
}
