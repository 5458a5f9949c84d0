using System.Numerics;
using System.Runtime.Intrinsics;

namespace VoxelGan.Tensors.Host;

internal static unsafe partial class Conv3dHost
{
    /// <summary>
    /// A convolution's epilogue (<see cref="Kernels.Epilogue{T}"/>) in place over y [N, C, spatial]:
    /// <c>y = act((y + residual) + bias[c])</c>, act = LeakyReLU(<paramref name="slope"/>) or none when null; a null
    /// <paramref name="residual"/> or <paramref name="bias"/> adds nothing. One pass over y, the additions in the order
    /// of the separate add and <see cref="Kernels.BiasLeakyRelu"/> it replaces (the same bits).
    /// </summary>
    public static void Epilogue<T>(T* y, T* bias, T* residual, double? slope, int channels, long spatial, int batch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint y0 = (nint)y, b0 = (nint)bias, r0 = (nint)residual;
        bool leaky = slope is not null;
        T s = T.CreateChecked(slope ?? 0);
        HostParallel.ForRows((long)batch * channels, (int)spatial, HostBackend.ElementGrain, (plane, start, end) =>
        {
            T* py = (T*)y0 + plane * spatial, pr = r0 == 0 ? null : (T*)r0 + plane * spatial;
            T b = b0 == 0 ? T.Zero : ((T*)b0)[plane % channels];
            bool addBias = b0 != 0;
            var vb = Vector512.Create(b);
            var vs = Vector512.Create(s);
            int i = start;
            for (; i + Vector512<T>.Count <= end; i += Vector512<T>.Count)
            {
                var z = Vector512.Load(py + i);
                if (pr != null) z += Vector512.Load(pr + i);
                if (addBias) z += vb;
                if (leaky) z = Vector512.ConditionalSelect(Vector512.GreaterThan(z, Vector512<T>.Zero), z, vs * z);
                z.Store(py + i);
            }
            for (; i < end; i++)
            {
                T z = py[i];
                if (pr != null) z += pr[i];
                if (addBias) z += b;
                py[i] = !leaky || z > T.Zero ? z : s * z;
            }
        });
    }
}
