namespace VoxelGan.Fft;

/// <summary>Which fixed-point or Krylov scheme solves the Lippmann-Schwinger equation.</summary>
public enum HomogenizationScheme
{
    /// <summary>Moulinec and Suquet's basic scheme: eps &lt;- eps - Gamma0 * sigma(eps).</summary>
    Basic,

    /// <summary>Conjugate gradients on Gamma0 * (C : eps) = 0 (Zeman, Vondrejc, Novak, Marek 2010).</summary>
    ConjugateGradient,
}

/// <summary>Solver settings.</summary>
public sealed record HomogenizationOptions
{
    /// <summary>The scheme (default: conjugate gradients).</summary>
    public HomogenizationScheme Scheme { get; init; } = HomogenizationScheme.ConjugateGradient;

    /// <summary>Stop when the relative equilibrium residual falls below this (default 1e-6).</summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>Give up (with an error) after this many iterations.</summary>
    public int MaxIterations { get; init; } = 20_000;

    /// <summary>Least time between two <see cref="SolverStatus"/> reports of a running solve (default 2 s).</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Smallest tolerance accepted: float64 FFTs of a 64^3 field carry relative rounding of about 1e-15
    /// per pass, so a residual much below 1e-12 is never reached and the solver would run to
    /// <see cref="MaxIterations"/> without progress.
    /// </summary>
    public const double MinTolerance = 1e-12;

    /// <summary>Throws when a setting cannot work, naming it.</summary>
    public HomogenizationOptions Validate()
    {
        if (!(Tolerance >= MinTolerance && Tolerance < 1))
            throw new ArgumentException($"tolerance {Tolerance} must lie in [{MinTolerance}, 1): a relative residual below {MinTolerance} is beyond what float64 reaches");
        if (MaxIterations < 1) throw new ArgumentException($"the iteration limit must be positive, got {MaxIterations}");
        return this;
    }
}

/// <summary>Where a running solve stands, reported every few seconds.</summary>
/// <param name="LoadCase">Voigt index 0..5 of the load case being solved.</param>
/// <param name="Iteration">Iterations done in it.</param>
/// <param name="Residual">Its current relative equilibrium residual.</param>
public readonly record struct SolverStatus(int LoadCase, int Iteration, double Residual);

/// <summary>The outcome of one macroscopic load case.</summary>
/// <param name="MacroStrain">The imposed mean strain, Voigt order with engineering shear.</param>
/// <param name="MeanStress">The resulting mean stress, Voigt order (11, 22, 33, 23, 13, 12).</param>
/// <param name="Iterations">Iterations until convergence.</param>
/// <param name="Residual">The final relative equilibrium residual.</param>
public sealed record LoadCaseResult(double[] MacroStrain, double[] MeanStress, int Iterations, double Residual);

/// <summary>The effective stiffness and how the six load cases converged.</summary>
/// <param name="Stiffness">6x6 effective stiffness, Voigt order with engineering shear: column j is the mean stress for unit macro strain j.</param>
/// <param name="LoadCases">The six load cases (11, 22, 33, 23, 13, 12).</param>
/// <param name="Seconds">Wall-clock time of the solve.</param>
public sealed record HomogenizationResult(double[,] Stiffness, IReadOnlyList<LoadCaseResult> LoadCases, double Seconds);
