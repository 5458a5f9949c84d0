using VoxelGan.Autograd;
using VoxelGan.Gan.Models;
using VoxelGan.Layers;
using VoxelGan.Tensors;
using static VoxelGan.Autograd.Functional;

namespace VoxelGan.Gan.Training;

/// <summary>The WGAN-GP losses (Gulrajani et al. 2017; paper Eqs. 20-23).</summary>
public static class WganGp
{
    /// <summary>
    /// L_GP = mean_i (|grad_x D(x_hat_i)|_2 - 1)^2 with x_hat = real + alpha (fake - real), alpha ~ U(0, 1)
    /// per sample; the gradient is taken with createGraph so that L_GP can itself be differentiated with
    /// respect to the critic's weights (double backprop). <paramref name="fake"/> is used as data:
    /// the penalty does not train the generator.
    /// </summary>
    public static Var GradientPenalty(Critic critic, Tensor real, Tensor fake, Tensor alpha, Precision precision = Precision.Fp32)
    {
        Shape.CheckSame(real.Shape, fake.Shape, "gradient penalty: real and fake batches");
        var xHat = new Var(Ops.Add(real, Ops.Mul(alpha, Ops.Sub(fake, real))), requiresGrad: true);
        var score = critic.Forward(xHat, precision);
        var grad = Gradients.Of([Sum(score)], [xHat], createGraph: true)[0];
        int batch = real.Shape[0];
        var norm = Sqrt(Sum(Reshape(Square(grad), batch, -1), 1));
        return Mean(Square(norm - 1.0));
    }
}
