namespace VoxelGan.Layers;

/// <summary>
/// Where a 'same' transposed convolution (output extent = input extent x stride) places its kernel. Both
/// solve (n - 1) s - 2p + K + op = n s; they differ when K - s is odd, as for the generator's K 3, s 2.
/// </summary>
public enum SameConvention
{
    /// <summary>
    /// TensorFlow/Keras <c>Conv3DTranspose(padding='same')</c>, the authors' code: the adjoint of a 'same'
    /// convolution that pads floor((K - s)/2) before, so p = floor((K - s)/2), op = 2p - (K - s). For K 3,
    /// s 2: p 0, op -1, input voxel i reaches output 2i + k.
    /// </summary>
    TensorFlow,

    /// <summary>PyTorch's usual choice p = ceil((K - s)/2), op = 2p - (K - s); for K 3, s 2: p 1, op 1, input voxel i reaches 2i + k - 1.</summary>
    PyTorch,
}
