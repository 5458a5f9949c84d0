namespace VoxelGan.Layers;

/// <summary>Hyperparameters of <see cref="Nadam"/>. Defaults are Keras' (the authors' code): eps 1e-7.</summary>
public sealed record NadamOptions
{
    /// <summary>Base learning rate (a group's rate is this times its factor).</summary>
    public double LearningRate { get; init; } = 1e-4;

    /// <summary>First-moment decay.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Second-moment decay.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Added to sqrt(v_hat) (Keras 1e-7; PyTorch uses 1e-8).</summary>
    public double Epsilon { get; init; } = 1e-7;

    /// <summary>psi in mu_t = beta1 (1 - 0.5 * 0.96^(t psi)).</summary>
    public double MomentumDecay { get; init; } = 0.004;

    /// <summary>Global-norm clipping threshold c (all gradients of this optimizer scaled by c / max(norm, c)); 0 disables.</summary>
    public double ClipNorm { get; init; } = 1.0;
}
