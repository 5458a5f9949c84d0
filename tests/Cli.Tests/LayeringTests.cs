using System.Reflection;
using VoxelGan.Tensors;

namespace VoxelGan.Cli.Tests;

/// <summary>The backend seam holds: nothing above src/Tensors references ILGPU, and the tensor API exposes no ILGPU type.</summary>
public class LayeringTests
{
    [Fact]
    public void NoLayerAboveTensorsReferencesIlgpu()
    {
        var above = KernelCatalog.LibraryAssemblies().Where(a => a.GetName().Name != "VoxelGan.Tensors").ToArray();
        Assert.NotEmpty(above);
        var cli = Assembly.LoadFrom(Path.Combine(AppContext.BaseDirectory, "voxelgan.dll"));
        foreach (var assembly in above.Append(cli))
        {
            var ilgpu = assembly.GetReferencedAssemblies().Where(r => r.Name!.StartsWith("ILGPU", StringComparison.Ordinal)).ToArray();
            Assert.True(ilgpu.Length == 0, $"{assembly.GetName().Name} references {string.Join(", ", ilgpu.Select(r => r.Name))}");
        }
    }

    [Fact]
    public void DeviceTensorAndOpsExposeNoIlgpuType()
    {
        foreach (var type in new[] { typeof(Device), typeof(Tensor), typeof(Ops), typeof(MemoryPool) })
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                var types = member switch
                {
                    MethodInfo m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType),
                    PropertyInfo p => [p.PropertyType],
                    FieldInfo f => [f.FieldType],
                    _ => [],
                };
                foreach (var t in types)
                    Assert.False(Mentions(t, "ILGPU"), $"{type.Name}.{member.Name} exposes {t}");
            }
    }

    private static bool Mentions(Type t, string ns) =>
        (t.Namespace?.StartsWith(ns, StringComparison.Ordinal) ?? false) || (t.IsGenericType && t.GetGenericArguments().Any(a => Mentions(a, ns)))
        || (t.HasElementType && Mentions(t.GetElementType()!, ns));
}
