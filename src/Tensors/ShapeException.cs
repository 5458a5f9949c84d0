namespace VoxelGan.Tensors;

/// <summary>Thrown on the host, before any kernel launch, when tensor shapes do not fit an operation.</summary>
public sealed class ShapeException(string message) : ArgumentException(message);
