using VoxelGan.Gan.Data;
using VoxelGan.Gan.Generation;
using VoxelGan.Gan.Models;
using VoxelGan.Gan.Training;
using VoxelGan.Layers;
using VoxelGan.Tensors;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Gan.Tests;

/// <summary>The points where training follows the authors' code by default (issue 14), each with its alternative.</summary>
public sealed class RecipeTests() : TinyGanTests("recipe")
{
    [Fact]
    public void ShuffledBatchesVisitEveryVolumeOncePerEpochAndRepeatForTheSameStep()
    {
        // 7 volumes, batches of 3, 2 draws per step: epochs end inside batches.
        var schedule = new BatchSchedule(BatchOrder.Shuffle, 7, 3, 2, 11);
        var sequence = new List<int>();
        for (long step = 1; step <= 7; step++)
            for (int sub = 0; sub < 2; sub++) sequence.AddRange(schedule.Indices(step, sub));
        Assert.Equal(42, sequence.Count);
        var epochs = sequence.Chunk(7).ToArray();
        foreach (var epoch in epochs) Assert.Equal(Enumerable.Range(0, 7), epoch.Order());
        Assert.False(epochs.All(e => e.SequenceEqual(epochs[0])), "every epoch had the same order");
        var again = new BatchSchedule(BatchOrder.Shuffle, 7, 3, 2, 11);
        Assert.Equal(schedule.Indices(5, 1), again.Indices(5, 1));
        Assert.NotEqual(schedule.Indices(5, 1), new BatchSchedule(BatchOrder.Shuffle, 7, 3, 2, 12).Indices(5, 1));
    }

    [Fact]
    public void DrawsWithReplacementRepeatVolumesWithinAnEpoch()
    {
        var schedule = new BatchSchedule(BatchOrder.Replacement, 8, 8, 1, 3);
        var draws = Enumerable.Range(1, 20).Select(s => schedule.Indices(s, 0)).ToArray();
        Assert.Contains(draws, d => d.Distinct().Count() < 8);
        Assert.All(draws.SelectMany(d => d), i => Assert.InRange(i, 0, 7));
        Assert.Equal(draws[4], new BatchSchedule(BatchOrder.Replacement, 8, 8, 1, 3).Indices(5, 0));
    }

    [Fact]
    public void EachOptimizerClipsTheGradientOfTheLossOverTheBatch()
    {
        // The authors' compute_average_loss: after one joint step the gradients are those of loss / batch.
        var options = new TrainOptions { BatchSize = 4, Precision = Precision.Fp32, Seed = 3 };
        using var divided = new Trainer(Tiny, options, SphereData(), D);
        using var whole = new Trainer(Tiny, options with { LossDividedByBatch = false }, SphereData(), D);
        divided.TrainStep();
        whole.TrainStep();
        foreach (var ((name, a), (_, b)) in divided.Models.NamedParameters().Zip(whole.Models.NamedParameters()))
        {
            var ga = a.Grad!.ToArray<float>();
            var gb = b.Grad!.ToArray<float>();
            if (name != "critic.head.bias") Assert.True(gb.Any(v => v != 0), $"{name} has no gradient"); // the bias cancels in D(fake) - D(real)
            for (int i = 0; i < ga.Length; i++) Assert.Equal(gb[i] / 4, ga[i], 1e-6 + Math.Abs(gb[i]) * 1e-5);
        }
    }

    [Fact]
    public void EachOptimizerGetsTheGradientAtItsOwnLossScale()
    {
        // Mixed precision, one scaler per optimizer: one backward pass leaves the critic's gradients at the
        // critic's scale and the synthesis and mapping networks' at theirs; unscaled, they agree with a run
        // in which all three scales are equal (within float16 rounding).
        var options = new TrainOptions { BatchSize = 2, Precision = Precision.Mixed, Seed = 5 };
        using var mixed = new Trainer(Tiny, options, SphereData(), D);
        using var equal = new Trainer(Tiny, options, SphereData(), D);
        Assert.Equal(3, mixed.Scalers.Values.Distinct().Count());
        var scales = new Dictionary<string, double> { ["critic"] = 1024, ["synthesis"] = 64, ["mapping"] = 8 };
        foreach (var (name, s) in scales) mixed.Scalers[name].Restore(s, 0, 0);
        foreach (var s in equal.Scalers.Values) s.Restore(1024, 0, 0);
        Assert.False(mixed.TrainStep().Skipped);
        Assert.False(equal.TrainStep().Skipped);
        foreach (var ((name, a), (_, b)) in mixed.Models.NamedParameters().Zip(equal.Models.NamedParameters()))
        {
            string optimizer = name.StartsWith("critic.", StringComparison.Ordinal) ? "critic"
                : name.StartsWith("generator.mapping.", StringComparison.Ordinal) ? "mapping" : "synthesis";
            var ga = a.Grad!.ToArray<float>().Select(v => v / scales[optimizer]).ToArray();
            var gb = b.Grad!.ToArray<float>().Select(v => v / 1024.0).ToArray();
            double max = gb.Max(Math.Abs);
            if (name == "critic.head.bias") continue; // cancels in D(fake) - D(real)
            Assert.True(max > 0, $"{name} has no gradient");
            for (int i = 0; i < ga.Length; i++) Assert.True(Math.Abs(ga[i] - gb[i]) <= 1e-2 * max, $"{name}[{i}]: {ga[i]} vs {gb[i]} (scale {scales[optimizer]})");
        }
    }

    [Fact]
    public void CheckpointsKeepEveryLossScaler()
    {
        foreach (var mode in new[] { LossScalerMode.PerOptimizer, LossScalerMode.Shared })
        {
            var options = new TrainOptions { BatchSize = 2, Precision = Precision.Mixed, LossScalers = mode };
            var path = Path.Combine(Folder.FullName, $"{mode}.safetensors");
            using (var first = new Trainer(Tiny, options, SphereData(), D))
            {
                first.Scalers["critic"].Restore(512, 3, 1);
                if (mode == LossScalerMode.PerOptimizer) first.Scalers["mapping"].Restore(16, 2, 4);
                first.TrainStep();
                first.Save(path, new Dictionary<string, string>());
            }
            var keys = SafeTensors.ReadMetadata(path).Keys.Where(k => k.StartsWith("loss_scaler", StringComparison.Ordinal)).Order().ToArray();
            Assert.Equal(mode == LossScalerMode.Shared ? ["loss_scaler"] : new[] { "loss_scaler.critic", "loss_scaler.mapping", "loss_scaler.synthesis" }, keys);
            using var second = new Trainer(Tiny, options, SphereData(), D);
            second.Load(path);
            Assert.Equal((512.0, 4), (second.Scalers["critic"].Scale, second.Scalers["critic"].CleanSteps));
            Assert.Equal(mode == LossScalerMode.Shared ? 512.0 : 16.0, second.Scalers["mapping"].Scale);
            Assert.Equal(mode == LossScalerMode.Shared ? 512.0 : options.InitialLossScale, second.Scalers["synthesis"].Scale);
        }
    }

    [Fact]
    public void RunsWrittenBeforeTheAuthorsDefaultsKeepTheirBehaviour()
    {
        var now = new RunConfig(Tiny, new TrainOptions(), new DataSpec("spheres"), new Standardization(0.2, 0.4, -0.5, 2));
        var read = RunConfig.FromJson(now.ToJson(), "now");
        Assert.Equal(SameConvention.TensorFlow, read.Gan.TransposedConvolution);
        Assert.Equal((true, LossScalerMode.PerOptimizer, BatchOrder.Shuffle, 2), (read.Train.LossDividedByBatch, read.Train.LossScalers, read.Train.Batches, read.Train.RecipeVersion));
        Assert.Equal(SphereStyle.Authors, read.Data.Style);

        var json = System.Text.Json.Nodes.JsonNode.Parse(now.ToJson())!;
        json["gan"]!.AsObject().Remove("transposed_convolution");
        foreach (var key in new[] { "recipe_version", "loss_divided_by_batch", "loss_scalers", "batches" }) json["train"]!.AsObject().Remove(key);
        json["data"]!.AsObject().Remove("style");
        var old = RunConfig.FromJson(json.ToJsonString(), "old");
        Assert.Equal(SameConvention.PyTorch, old.Gan.TransposedConvolution);
        Assert.Equal((false, LossScalerMode.Shared, BatchOrder.Replacement, 1), (old.Train.LossDividedByBatch, old.Train.LossScalers, old.Train.Batches, old.Train.RecipeVersion));
        Assert.Equal(SphereStyle.Periodic, old.Data.Style);
    }

    [Fact]
    public void GeneratedVolumesAreBinarizedAtTheDataMeanOrTheRangeMidpoint()
    {
        var folder = Path.Combine(Folder.FullName, "run");
        var options = new TrainOptions { Iterations = 1, BatchSize = 2, Precision = Precision.Fp32, CheckpointEvery = 1, SampleEvery = 0 };
        using (var run = TrainingRun.Start(folder, Tiny, options, new DataSpec("spheres", 4, 1), D)) run.Run(CancellationToken.None);
        using var sampler = Sampler.FromCheckpoint(Path.Combine(folder, "latest.safetensors"), D);
        var stats = sampler.Config.Stats;
        double midpoint = stats.ToRaw((stats.LambdaMin + stats.LambdaMax) / 2);
        Assert.True(Math.Abs(midpoint - stats.Mean) > 0.1, "the test needs data whose mean is not its midpoint");
        Assert.Equal(PhaseThreshold.DataMean, sampler.Phases);
        var ones = new List<int>();
        foreach (var (rule, threshold) in new[] { (PhaseThreshold.DataMean, stats.Mean), (PhaseThreshold.RangeMidpoint, midpoint) })
        {
            sampler.Phases = rule;
            int count = 0;
            foreach (var v in sampler.Sample(4, 3, 1))
                for (int i = 0; i < v.Phases.Length; i++)
                {
                    if (Math.Abs(v.Raw.Values[i] - threshold) > 1e-5) Assert.Equal(v.Raw.Values[i] > threshold ? 1 : 0, v.Phases[i]);
                    count += v.Phases[i];
                }
            ones.Add(count);
        }
        Assert.True(ones[0] != ones[1], $"both rules gave {ones[0]} phase-1 voxels: the generated values do not fall between the two thresholds");
    }
}
