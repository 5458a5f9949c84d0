namespace VoxelGan.Fft;

/// <summary>An isotropic linear elastic phase given by Young's modulus and Poisson's ratio.</summary>
public sealed record IsotropicMaterial
{
    /// <summary>Creates the phase; E must be positive and -1 &lt; nu &lt; 0.5.</summary>
    public IsotropicMaterial(double youngsModulus, double poissonsRatio)
    {
        if (!(youngsModulus > 0) || !double.IsFinite(youngsModulus))
            throw new ArgumentException(
                $"Young's modulus {youngsModulus} is not positive: pores (E = 0, infinite contrast) are not supported by these schemes; use a small positive E (e.g. 1e-3 of the matrix) instead");
        if (!(poissonsRatio > -1 && poissonsRatio < 0.5))
            throw new ArgumentException($"Poisson's ratio {poissonsRatio} is outside (-1, 0.5)");
        (E, Nu) = (youngsModulus, poissonsRatio);
    }

    /// <summary>Young's modulus.</summary>
    public double E { get; }

    /// <summary>Poisson's ratio.</summary>
    public double Nu { get; }

    /// <summary>First Lame constant E nu / ((1 + nu)(1 - 2 nu)).</summary>
    public double Lambda => E * Nu / ((1 + Nu) * (1 - 2 * Nu));

    /// <summary>Shear modulus E / (2 (1 + nu)).</summary>
    public double Mu => E / (2 * (1 + Nu));

    /// <summary>The paper's matrix: E = 1e3, nu = 0.4.</summary>
    public static IsotropicMaterial PaperMatrix { get; } = new(1e3, 0.4);

    /// <summary>The paper's inclusions: E = 1e4, nu = 0.1.</summary>
    public static IsotropicMaterial PaperInclusion { get; } = new(1e4, 0.1);

    /// <summary>The 6x6 stiffness in Voigt notation with engineering shear (order 11, 22, 33, 23, 13, 12).</summary>
    public double[,] Stiffness()
    {
        var c = new double[6, 6];
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++) c[i, j] = Lambda;
            c[i, i] = Lambda + 2 * Mu;
            c[i + 3, i + 3] = Mu;
        }
        return c;
    }
}
