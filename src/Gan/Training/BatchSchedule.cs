using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Gan.Training;

/// <summary>
/// Which training volumes make up each batch. With <see cref="BatchOrder.Shuffle"/> (the authors'
/// epoch-wise shuffling) the run reads an endless sequence of epochs, each a fresh permutation of the
/// volumes from (seed, epoch); draw d (the d-th real batch of the run: (step - 1) x draws per step +
/// substep) takes positions dB .. dB + B - 1 of it, so an epoch may end inside a batch. With
/// <see cref="BatchOrder.Replacement"/> each volume is drawn uniformly from (seed, step, substep).
/// Either way a batch depends only on the run's seed and its (step, substep), so resumed runs draw the same.
/// </summary>
/// <param name="order">Shuffled epochs or draws with replacement.</param>
/// <param name="count">Training volumes.</param>
/// <param name="batchSize">Volumes per batch.</param>
/// <param name="drawsPerStep">Real batches per iteration (the critic steps).</param>
/// <param name="seed">The run's seed.</param>
public sealed class BatchSchedule(BatchOrder order, int count, int batchSize, int drawsPerStep, ulong seed)
{
    private (long Epoch, int[] Permutation) _cached = (-1, []);

#pragma warning disable CS1591
    public BatchOrder Order { get; } = order;
    public int Count { get; } = count > 0 ? count : throw new ArgumentException($"a batch schedule needs at least one volume, got {count}");
    public int BatchSize { get; } = batchSize;
    public int DrawsPerStep { get; } = drawsPerStep;
    public ulong Seed { get; } = seed;
#pragma warning restore CS1591

    /// <summary>The volume indices of the batch of (step &gt;= 1, substep).</summary>
    public int[] Indices(long step, int substep)
    {
        var picks = new int[BatchSize];
        if (Order == BatchOrder.Shuffle)
        {
            long first = ((step - 1) * DrawsPerStep + substep) * BatchSize;
            for (int i = 0; i < picks.Length; i++) picks[i] = Epoch((first + i) / Count)[(first + i) % Count];
        }
        else
        {
            // Not HashCode.Combine: it is randomized per process, and a resumed run must draw the same batches.
            var pick = new Random((int)(Mix(step, substep, 0x5eed) >> 33));
            for (int i = 0; i < picks.Length; i++) picks[i] = pick.Next(Count);
        }
        return picks;
    }

    /// <summary>The permutation of epoch <paramref name="epoch"/> (Fisher-Yates from (seed, epoch)).</summary>
    public int[] Epoch(long epoch)
    {
        if (_cached.Epoch == epoch) return _cached.Permutation;
        var order = Enumerable.Range(0, Count).ToArray();
        new Random((int)(Mix(epoch, 0, 0x5b0ff1e) >> 33)).Shuffle(order);
        _cached = (epoch, order);
        return order;
    }

    /// <summary>
    /// A 64-bit seed for (run seed, step, substep, stream), through the random kernels' SplitMix64 mixer
    /// (offset by its increment so that the seeds of existing runs are unchanged).
    /// </summary>
    public ulong Mix(long step, int substep, ulong stream) => RandomKernels.Mix(unchecked(
        Seed * 0x9E3779B97F4A7C15UL + (ulong)step * 1_000_003UL + (ulong)substep * 7919UL + stream - 0x9E3779B97F4A7C15UL));
}
