using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Isotropic Hooke's law per voxel: sigma = lambda tr(eps) I + 2 mu eps, with eps [6, N] (components
    /// 11, 22, 33, 23, 13, 12) and lambda, mu [N], float64 (see <see cref="HomogenizationKernels.Stress{T}"/>).
    /// </summary>
    public static Tensor HookeStress(Tensor eps, Tensor lambda, Tensor mu)
    {
        RequireFloat64(nameof(HookeStress), eps, lambda, mu);
        int n = lambda.Numel;
        if (mu.Numel != n || eps.Numel != 6L * n)
            throw new ShapeException($"{nameof(HookeStress)}: strain {eps.Shape} must be [6, {n}] and shear moduli {mu.Shape} [{n}] to match the Lame field {lambda.Shape}");
        var sigma = Tensor.Empty(new Shape(6, n), DType.Float64, eps.Device);
        if (n > 0) eps.Device.Backend.HookeStress(eps, lambda, mu, sigma);
        return sigma;
    }

    /// <summary>
    /// Minus the Green operator of the reference medium on a polarisation spectrum tau [6, D, H, W, 2]
    /// with the wave-number table xi [D + H + W] (see <see cref="HomogenizationKernels.Green{T}"/>).
    /// </summary>
    public static Tensor GreenOperator(Tensor tau, Tensor xi, GreenGrid<double> grid)
    {
        CheckSpectrum(nameof(GreenOperator), tau, xi, grid);
        var result = Tensor.Empty(tau.Shape, DType.Float64, tau.Device);
        tau.Device.Backend.GreenOperator(tau, result, xi, grid);
        return result;
    }

    /// <summary>
    /// |xi . sigma_hat(xi)|^2 per frequency [D*H*W] of a stress spectrum [6, D, H, W, 2]
    /// (see <see cref="HomogenizationKernels.Equilibrium{T}"/>).
    /// </summary>
    public static Tensor EquilibriumResidual(Tensor sigmaHat, Tensor xi, GreenGrid<double> grid)
    {
        CheckSpectrum(nameof(EquilibriumResidual), sigmaHat, xi, grid);
        var residual = Tensor.Empty(new Shape(grid.D * grid.H * grid.W), DType.Float64, sigmaHat.Device);
        sigmaHat.Device.Backend.EquilibriumResidual(sigmaHat, residual, xi, grid);
        return residual;
    }

    private static void CheckSpectrum(string op, Tensor spectrum, Tensor xi, GreenGrid<double> g)
    {
        RequireFloat64(op, spectrum, xi);
        if (g.D < 1 || g.H < 1 || g.W < 1 || spectrum.Numel != 12L * g.D * g.H * g.W || xi.Numel != g.D + g.H + g.W)
            throw new ShapeException($"{op}: spectrum {spectrum.Shape} must be [6, {g.D}, {g.H}, {g.W}, 2] and wave numbers {xi.Shape} [{g.D + g.H + g.W}]");
    }

    private static void RequireFloat64(string op, params Tensor[] tensors)
    {
        foreach (var t in tensors)
        {
            RequireCompatible(tensors[0], t, op);
            if (t.DType != DType.Float64) throw new ArgumentException($"{op}: {t} must be float64");
        }
    }
}
