using System.Reflection;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace VoxelGan.Tensors;

/// <summary>One closed kernel method and how ILGPU must treat it.</summary>
/// <param name="Method">The kernel, with all generic arguments bound.</param>
/// <param name="ExplicitlyGrouped">True when the kernel takes no index parameter (group size chosen at launch).</param>
public sealed record KernelEntry(MethodInfo Method, bool ExplicitlyGrouped)
{
    /// <summary>A readable unique name: <c>ElementwiseKernels.Map&lt;Single,Exp&gt;</c>.</summary>
    public string Name =>
        $"{Method.DeclaringType!.Name}.{Method.Name}" +
        (Method.IsGenericMethod ? "<" + string.Join(",", Method.GetGenericArguments().Select(t => t.Name)) + ">" : "");
}

/// <summary>The outcome of compiling one kernel to PTX.</summary>
/// <param name="Kernel">The kernel compiled.</param>
/// <param name="Ptx">The PTX assembly text, or null when compilation failed.</param>
/// <param name="Error">The compiler's message when it failed.</param>
public sealed record PtxResult(KernelEntry Kernel, string? Ptx, string? Error);

/// <summary>
/// Finds every kernel of the library by reflection, so that no kernel can escape the PTX compile
/// test. A kernel is any static method that takes an ILGPU <c>ArrayView</c> and no host-side object
/// (<see cref="Device"/>, <see cref="Tensor"/>, <c>Accelerator</c>, <c>AcceleratorStream</c>): host
/// launchers always take one of those, kernels never can. Generic kernels are closed over every
/// combination of element types (float, double, ILGPU.Half) and library operation structs that
/// satisfies their constraints, which is a superset of the instantiations the library launches.
/// </summary>
public static class KernelCatalog
{
    private static readonly Type[] ElementTypes = [typeof(float), typeof(double), typeof(ILGPU.Half)];
    private static readonly Type[] HostTypes = [typeof(Device), typeof(Tensor), typeof(Accelerator), typeof(AcceleratorStream)];
    private static readonly Type[] IndexTypes = [typeof(Index1D), typeof(Index2D), typeof(Index3D), typeof(LongIndex1D), typeof(LongIndex2D), typeof(LongIndex3D)];

    /// <summary>The library's assemblies (<c>VoxelGan.*.dll</c> beside this one), loaded.</summary>
    public static IReadOnlyList<Assembly> LibraryAssemblies()
    {
        var dir = Path.GetDirectoryName(typeof(KernelCatalog).Assembly.Location)!;
        return Directory.GetFiles(dir, "VoxelGan.*.dll")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => n is not null && !n.EndsWith(".Tests", StringComparison.Ordinal) && !n.EndsWith(".Perf", StringComparison.Ordinal))
            .Select(n => Assembly.Load(new AssemblyName(n!)))
            .OrderBy(a => a.GetName().Name, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>Whether <paramref name="method"/> is a kernel by the rule of this class.</summary>
    public static bool IsKernel(MethodInfo method)
    {
        if (!method.IsStatic || method.IsDefined(typeof(CompilerGeneratedAttribute))) return false;
        var types = method.GetParameters().Select(p => p.ParameterType).ToArray();
        return types.Any(IsArrayView) && !types.Any(t => HostTypes.Any(h => h.IsAssignableFrom(t)));
    }

    /// <summary>Kernel method definitions (open generics left open) declared in <paramref name="assemblies"/>.</summary>
    public static IEnumerable<MethodInfo> Definitions(IEnumerable<Assembly> assemblies) =>
        assemblies.SelectMany(a => a.GetTypes())
            .Where(t => !t.IsDefined(typeof(CompilerGeneratedAttribute)) && !t.ContainsGenericParameters)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(IsKernel)
            .OrderBy(m => m.DeclaringType!.FullName, StringComparer.Ordinal).ThenBy(m => m.Name, StringComparer.Ordinal);

    /// <summary>Every closed kernel of <paramref name="assemblies"/>.</summary>
    public static IReadOnlyList<KernelEntry> Discover(IEnumerable<Assembly> assemblies)
    {
        var list = assemblies.ToArray();
        var structs = list.SelectMany(a => a.GetTypes())
            .Where(t => t.IsValueType && !t.IsEnum && !t.IsGenericTypeDefinition && t.GetInterfaces().Length > 0)
            .ToArray();
        var result = new List<KernelEntry>();
        foreach (var def in Definitions(list))
        {
            bool explicitly = !IndexTypes.Contains(def.GetParameters()[0].ParameterType);
            foreach (var closed in Close(def, structs, list))
                result.Add(new KernelEntry(closed, explicitly));
        }
        return result;
    }

    /// <summary>
    /// Compiles one kernel to PTX for sm_80 without a GPU. Each compile gets a fresh ILGPU context,
    /// because a failed compile can leave its context unusable for the next one.
    /// </summary>
    public static PtxResult CompileToPtx(KernelEntry kernel)
    {
        try
        {
            using var context = Context.Create(b => b.CPU().EnableAlgorithms());
            using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_80),
                CudaArchitecture.SM_80, CudaInstructionSet.ISA_80, null);
            var entry = kernel.ExplicitlyGrouped
                ? EntryPointDescription.FromExplicitlyGroupedKernel(kernel.Method)
                : EntryPointDescription.FromImplicitlyGroupedKernel(kernel.Method);
            var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
            return new PtxResult(kernel, compiled.PTXAssembly, null);
        }
        catch (Exception e)
        {
            return new PtxResult(kernel, null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static bool IsArrayView(Type t) =>
        t.IsGenericType && t.Namespace == "ILGPU" && t.Name.StartsWith("ArrayView", StringComparison.Ordinal);

    private static IEnumerable<MethodInfo> Close(MethodInfo def, Type[] structs, Assembly[] library)
    {
        if (!def.IsGenericMethodDefinition) return [def];
        var candidates = def.GetGenericArguments().Select(p =>
        {
            bool libraryConstraint = p.GetGenericParameterConstraints().Any(c => library.Contains(c.Assembly));
            return libraryConstraint ? structs : ElementTypes;
        }).ToArray();
        var closed = new List<MethodInfo>();
        foreach (var combo in Cartesian(candidates))
        {
            try { closed.Add(def.MakeGenericMethod(combo)); }
            catch (ArgumentException) { /* constraint not satisfied: not an instantiation */ }
        }
        if (closed.Count == 0)
            throw new InvalidOperationException($"kernel {def.DeclaringType!.Name}.{def.Name} has no instantiation over the library's types");
        return closed;
    }

    private static IEnumerable<Type[]> Cartesian(Type[][] sets)
    {
        IEnumerable<Type[]> acc = [[]];
        foreach (var set in sets) acc = acc.SelectMany(prefix => set.Select(t => (Type[])[.. prefix, t]));
        return acc;
    }
}
