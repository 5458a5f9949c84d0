using System.Reflection;
using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors.Backends;

/// <summary>
/// The seam between tensor operations and the hardware: one method per kernel family. <see cref="Ops"/>
/// validates shapes, dtypes and devices and allocates results, then calls exactly one of these; a
/// backend only computes. Tensors passed in are live, of the backend's device, contiguous, and of
/// the shapes the op's documentation states; compute methods accept float32 and float64 (casts and
/// copies also float16). The formula of each family is on the ILGPU reference kernel named in its
/// summary, which every other backend is tested against.
/// </summary>
internal interface IBackend : IDisposable
{
    /// <summary>Which backend this is.</summary>
    DeviceKind Kind { get; }

    /// <summary>Hardware name (the CPU model or the GPU's name).</summary>
    string Name { get; }

    /// <summary>Memory the device can hold, in bytes.</summary>
    long MemoryBytes { get; }

    /// <summary>Launches and host synchronizations so far (ILGPU backends; the host's stay 0).</summary>
    DeviceCounters Counters { get; }

    /// <summary>ILGPU: launch the gather references of the convolutions instead of the tiled and phase kernels (see <see cref="Device.ReferenceKernels"/>).</summary>
    bool ReferenceKernels { get; set; }

    /// <summary>ILGPU: the group count below which a tiled convolution splits its inner dimension (see <see cref="Device.SplitKBelowGroups"/>).</summary>
    int SplitKBelowGroups { get; set; }

    /// <summary>Facts for <c>voxelgan info</c>, as (label, value) lines.</summary>
    IReadOnlyList<(string Label, string Value)> Describe();

    /// <summary>ILGPU kernel methods compiled so far (none for the host backend).</summary>
    IReadOnlyCollection<MethodInfo> LoadedKernels { get; }

    /// <summary>A new uninitialised buffer of at least <paramref name="bytes"/> bytes (called by the pool only).</summary>
    DeviceBuffer Allocate(long bytes);

    /// <summary>Waits until all queued work is done.</summary>
    void Synchronize();

    /// <summary>Copies host bytes into the start of <paramref name="destination"/>.</summary>
    void Upload(ReadOnlySpan<byte> source, Tensor destination);

    /// <summary>Copies the first <c>destination.Length</c> bytes of <paramref name="source"/> to the host.</summary>
    void Download(Tensor source, Span<byte> destination);

    /// <summary>Sets every element to <paramref name="value"/> (<see cref="FillKernels.Constant{T}"/>).</summary>
    void Fill(Tensor y, double value);

    /// <summary>Strided copy of <paramref name="count"/> elements (<see cref="CopyKernels.Strided{T}"/>).</summary>
    void Copy(Tensor source, Tensor destination, int count, StridedIndex map);

    /// <summary>
    /// Copies every source whole into <paramref name="destination"/> starting at its offset (in elements;
    /// <see cref="CopyKernels.Gather{T}"/>); the caller checked dtypes, bounds and that the ranges do not overlap.
    /// </summary>
    void Gather(Tensor destination, IReadOnlyList<(Tensor Source, int Offset)> parts);

    /// <summary>Element type conversion, x and y of equal length (<see cref="CastKernels.Convert{TFrom, TTo, TConv}"/>).</summary>
    void Cast(Tensor x, Tensor y);

    /// <summary><c>y = op(x; s)</c> elementwise (<see cref="ElementwiseKernels.Map{T, TOp}"/>).</summary>
    void Map<TOp>(Tensor x, Tensor y, double s) where TOp : struct, IUnaryOp;

    /// <summary><c>y = op(a, b; s)</c> with broadcasting through <paramref name="map"/> (<see cref="ElementwiseKernels.Zip{T, TOp}"/>).</summary>
    void Zip<TOp>(Tensor a, Tensor b, Tensor y, StridedIndex map, double s) where TOp : struct, IBinaryOp;

    /// <summary>Reduces x viewed as [y.Numel / inner, length, inner] along the middle axis (<see cref="ReductionKernels.Axis{T, TOp}"/>).</summary>
    void ReduceAxis<TOp>(Tensor x, Tensor y, int length, int inner) where TOp : struct, IReduceOp;

    /// <summary>Reduces x viewed as [outer, y.Numel, inner] over its first and last axes (<see cref="ReductionKernels.Around{T, TOp}"/>).</summary>
    void ReduceAround<TOp>(Tensor x, Tensor y, int outer, int inner) where TOp : struct, IReduceOp;

    /// <summary>Reduces all of x into the one-element y (the backend chooses its partials).</summary>
    void ReduceAll<TOp>(Tensor x, Tensor y) where TOp : struct, IReduceOp;

    /// <summary>Batched matrix product passed through <paramref name="epilogue"/> (<see cref="MatMulKernels.Naive{T}"/>; checked as for <see cref="Conv3d"/>, channel = column).</summary>
    void MatMul(Tensor a, Tensor b, Tensor c, MatMulLayout layout, LayerEpilogue epilogue);

    /// <summary>Counter-based uniform numbers (<see cref="RandomKernels.Uniform{T, TConv}"/>); every backend gives the same values.</summary>
    void Uniform(Tensor y, ulong seed, ulong offset, double low, double high);

    /// <summary>Counter-based normal numbers (<see cref="RandomKernels.Normal{T, TConv}"/>).</summary>
    void Normal(Tensor y, ulong seed, ulong offset, double mean, double std);

    /// <summary>
    /// Convolution x, w -&gt; y passed through <paramref name="epilogue"/> before it is stored (<see cref="Conv3dKernels.Forward{T}"/>;
    /// its tensors were checked against y's shape, dtype and device).
    /// </summary>
    void Conv3d(Tensor x, Tensor w, Tensor y, ConvGeometry g, LayerEpilogue epilogue);

    /// <summary>Transposed convolution y, w -&gt; x passed through <paramref name="epilogue"/> (<see cref="Conv3dKernels.Transposed{T}"/>; checked as for <see cref="Conv3d"/>).</summary>
    void ConvTranspose3d(Tensor y, Tensor w, Tensor x, ConvGeometry g, LayerEpilogue epilogue);

    /// <summary>Weight gradient x, y -&gt; w (<see cref="Conv3dKernels.WeightGradient{T}"/>, split-K as the backend sees fit).</summary>
    void Conv3dWeightGrad(Tensor x, Tensor y, Tensor w, ConvGeometry g);

    /// <summary>Scaled window sums x -&gt; y (<see cref="Pool3dKernels.Average{T}"/>).</summary>
    void AvgPool3d(Tensor x, Tensor y, ConvGeometry g, double scale);

    /// <summary>Scaled nearest-neighbour upsampling y -&gt; x (<see cref="Pool3dKernels.Upsample{T}"/>).</summary>
    void Upsample3d(Tensor y, Tensor x, ConvGeometry g, double scale);

    /// <summary>One Nadam step in place, gated and clipped by the float64 sums of squares in <paramref name="gate"/> (<see cref="NadamKernels.Update{T, TConv}"/>).</summary>
    void NadamUpdate(Tensor theta, Tensor grad, Tensor m, Tensor v, NadamCoefficients c, Tensor gate, int own);

    /// <summary>Unscaled DFT along lines (<see cref="FftKernels.Pass{T}"/> composed over the factors of n); x is not modified.</summary>
    void Fft(Tensor x, Tensor y, FftLines lines, int sign);

    /// <summary>Per-voxel isotropic Hooke's law (<see cref="HomogenizationKernels.Stress{T}"/>).</summary>
    void HookeStress(Tensor eps, Tensor lambda, Tensor mu, Tensor sigma);

    /// <summary>Minus the reference Green operator on a spectrum (<see cref="HomogenizationKernels.Green{T}"/>).</summary>
    void GreenOperator(Tensor tau, Tensor result, Tensor xi, GreenGrid<double> grid);

    /// <summary>Squared equilibrium residual per frequency (<see cref="HomogenizationKernels.Equilibrium{T}"/>).</summary>
    void EquilibriumResidual(Tensor sigma, Tensor residual, Tensor xi, GreenGrid<double> grid);
}
