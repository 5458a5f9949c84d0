using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors.Host;

internal sealed unsafe partial class HostBackend
{
    /// <summary>Batched product through the packed GEMM (<see cref="Gemm.MatMul{T}"/>).</summary>
    public void MatMul(Tensor a, Tensor b, Tensor c, MatMulLayout layout, LayerEpilogue epilogue)
    {
        if (a.DType == DType.Float32) Gemm.MatMul(a.Data<float>(), b.Data<float>(), c.Data<float>(), layout);
        else Gemm.MatMul(a.Data<double>(), b.Data<double>(), c.Data<double>(), layout);
        ApplyEpilogue(c, epilogue);
    }

    /// <summary>Implicit-GEMM convolution (<see cref="Conv3dHost.Forward{T}"/>).</summary>
    public void Conv3d(Tensor x, Tensor w, Tensor y, ConvGeometry g, LayerEpilogue epilogue)
    {
        if (x.DType == DType.Float32) Conv3dHost.Forward(x.Data<float>(), w.Data<float>(), y.Data<float>(), g);
        else Conv3dHost.Forward(x.Data<double>(), w.Data<double>(), y.Data<double>(), g);
        ApplyEpilogue(y, epilogue);
    }

    /// <summary>Transposed convolution by output phase (<see cref="Conv3dHost.Transposed{T}"/>).</summary>
    public void ConvTranspose3d(Tensor y, Tensor w, Tensor x, ConvGeometry g, LayerEpilogue epilogue)
    {
        if (y.DType == DType.Float32) Conv3dHost.Transposed(y.Data<float>(), w.Data<float>(), x.Data<float>(), g);
        else Conv3dHost.Transposed(y.Data<double>(), w.Data<double>(), x.Data<double>(), g);
        ApplyEpilogue(x, epilogue);
    }

    /// <summary>A layer's epilogue on its output [N, C, ...] in place, one pass after the GEMM (<see cref="Conv3dHost.Epilogue{T}"/>).</summary>
    private static void ApplyEpilogue(Tensor output, LayerEpilogue e)
    {
        if (e.IsIdentity) return;
        int batch = output.Shape[0], channels = output.Shape[1];
        long spatial = output.Numel / ((long)batch * channels);
        if (output.DType == DType.Float32) Conv3dHost.Epilogue(output.Data<float>(), DataOrNull<float>(e.Bias), DataOrNull<float>(e.Residual), e.Slope, channels, spatial, batch);
        else Conv3dHost.Epilogue(output.Data<double>(), DataOrNull<double>(e.Bias), DataOrNull<double>(e.Residual), e.Slope, channels, spatial, batch);
    }

    private static T* DataOrNull<T>(Tensor? t) where T : unmanaged => t is null ? null : t.Data<T>();

    /// <summary>Weight gradient as a dot-product GEMM over voxels (<see cref="Conv3dHost.WeightGradient{T}"/>).</summary>
    public void Conv3dWeightGrad(Tensor x, Tensor y, Tensor w, ConvGeometry g)
    {
        // The bias sums, where asked for, by the reduction Ops.SumTo runs for a bias gradient over a batch of several.
        int weights = g.Cy * g.Cx * g.K * g.K * g.K, spatial = g.YD * g.YH * g.YW;
        if (x.DType == DType.Float32)
        {
            Conv3dHost.WeightGradient(x.Data<float>(), y.Data<float>(), w.Data<float>(), g);
            if (g.BiasSums == 1) ReduceAround<float, SumReduce>(y.Data<float>(), w.Data<float>() + weights, g.N, g.Cy, spatial);
        }
        else
        {
            Conv3dHost.WeightGradient(x.Data<double>(), y.Data<double>(), w.Data<double>(), g);
            if (g.BiasSums == 1) ReduceAround<double, SumReduce>(y.Data<double>(), w.Data<double>() + weights, g.N, g.Cy, spatial);
        }
    }
}
