using System.Diagnostics;

namespace VoxelGan.Cli.Tests;

/// <summary>Runs the real <c>voxelgan</c> program as a user would, through <c>dotnet voxelgan.dll</c>.</summary>
public class CliTests
{
    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        // Beside this test assembly, not AppContext.BaseDirectory: a console runner has its own base directory.
        psi.ArgumentList.Add(Path.Combine(Path.GetDirectoryName(typeof(CliTests).Assembly.Location)!, "voxelgan.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("VOXELGAN_DEVICE");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), $"voxelgan {string.Join(' ', args)} did not finish in 120 s");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void InfoPrintsDeviceMemoryAndVersions()
    {
        var (code, output, err) = Run("info", "--device", "cpu");
        Assert.True(code == 0, err);
        Assert.Contains("device     cpu", output);
        Assert.Contains("chosen by  --device", output);
        Assert.Contains("backend    host (SIMD C#)", output);
        Assert.Contains("vectors    ", output);
        Assert.Contains("memory", output);
        Assert.Contains(".NET       .NET 10", output);
        // The ILGPU CPU accelerator describes itself differently: its launch width and ILGPU's version.
        (code, output, err) = Run("info", "--device", "ilgpu-cpu");
        Assert.True(code == 0, err);
        Assert.Contains("device     ilgpu-cpu", output);
        Assert.Contains("backend    ILGPU CPU accelerator", output);
        Assert.Contains("ILGPU      1.5.3", output);
    }

    [Fact]
    public void UnknownDeviceIsAClearErrorWithExitCode1()
    {
        var (code, _, err) = Run("info", "--device", "tpu");
        Assert.Equal(1, code);
        Assert.Contains("unknown device 'tpu'", err);
        Assert.DoesNotContain("   at ", err); // no stack trace
    }

    [Fact]
    public void KernelsWritesOnePtxFilePerKernel()
    {
        var dir = Directory.CreateTempSubdirectory("voxelgan-ptx-");
        try
        {
            var (code, output, err) = Run("kernels", "--ptx", dir.FullName);
            Assert.True(code == 0, err);
            var files = dir.GetFiles("*.ptx");
            Assert.Contains("0 failed", output);
            Assert.Contains($"{files.Length} kernels", output);
            Assert.Contains(files, f => f.Name == "ElementwiseKernels.Map_Single_Exp_.ptx");
            Assert.All(files, f => Assert.Contains(".entry", File.ReadAllText(f.FullName)));
            Assert.Empty(dir.GetFiles("*.tmp")); // written atomically, nothing left behind
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void UnknownCommandsFail()
    {
        var (code, _, _) = Run("frobnicate");
        Assert.NotEqual(0, code);
    }
}
