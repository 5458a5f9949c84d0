namespace VoxelGan.Gan.Training;

/// <summary>One line of <c>metrics.jsonl</c>.</summary>
/// <param name="Step">Iteration just finished (1-based).</param>
/// <param name="CriticLoss">L_D = E[D(fake)] - E[D(real)] + lambda L_GP.</param>
/// <param name="GeneratorLoss">L_G = -E[D(fake)].</param>
/// <param name="GradientPenalty">L_GP = E[(|grad D(x_hat)| - 1)^2] (unweighted).</param>
/// <param name="Wasserstein">E[D(real)] - E[D(fake)], the critic's estimate.</param>
/// <param name="FakeMean">Mean of the generated batch.</param>
/// <param name="FakeStd">Standard deviation of the generated batch.</param>
/// <param name="LossScale">Dynamic loss scale (1 in fp32).</param>
/// <param name="Skipped">True when mixed precision overflowed and the step was skipped.</param>
/// <param name="Seconds">Wall-clock seconds since the run (or resume) started.</param>
public sealed record StepMetrics(long Step, double CriticLoss, double GeneratorLoss, double GradientPenalty, double Wasserstein,
    double FakeMean, double FakeStd, double LossScale, bool Skipped, double Seconds);
