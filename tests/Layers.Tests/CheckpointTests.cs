using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;

namespace VoxelGan.Layers.Tests;

public sealed class CheckpointTests : IDisposable
{
    private static Device D => TestDevice.Instance;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("voxelgan-ckpt-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_dir.FullName, name);

    private sealed class Model : Module
    {
        public Model(int width, DType dtype = DType.Float32)
        {
            var rng = new RandomGenerator(7);
            AddModule("conv", new Conv3d(1, width, 3, rng, dtype: dtype, device: D));
            AddModule("head", new Dense(width, 1, rng, dtype, D));
        }
    }

    [Fact]
    public void SaveThenLoadRestoresEveryParameterAndExtraState()
    {
        using var a = new Model(2);
        using var b = new Model(2);
        foreach (var (_, p) in b.NamedParameters()) Ops.CopyInto(p.Data, Tensor.Zeros(p.Shape, p.DType, D));
        using var scope = TensorScope.Begin();
        var step = Tensor.FromArray(new[] { 41.0 }, device: D);
        var half = Ops.Cast(Tensor.FromArray(new[] { 0.5f, -2f }, device: D), DType.Float16);
        var path = PathOf("model.safetensors");
        Checkpoint.Save(path, a, [new("optimizer.step", step), new("optimizer.half", half)], new Dictionary<string, string> { ["note"] = "test" });
        var (extra, meta) = Checkpoint.Load(path, b, "optimizer.");
        foreach (var ((na, pa), (nb, pb)) in a.NamedParameters().Zip(b.NamedParameters()))
        {
            Assert.Equal(na, nb);
            Assert.Equal(pa.Data.ToArray<float>(), pb.Data.ToArray<float>());
        }
        Assert.Equal(41.0, extra["optimizer.step"].Item());
        Assert.Equal(DType.Float16, extra["optimizer.half"].DType);
        Assert.Equal(new[] { 0.5f, -2f }, Ops.Cast(extra["optimizer.half"], DType.Float32).ToArray<float>());
        Assert.Equal("test", meta["note"]);
        foreach (var t in extra.Values) t.Dispose();
        Assert.Empty(_dir.GetFiles("*.tmp"));
    }

    [Fact]
    public void TheFileFollowsTheSafetensorsLayout()
    {
        // An independent reader: 8-byte little-endian length, space-padded JSON (multiple of 8),
        // tensors back to back in header order, little-endian values.
        using var scope = TensorScope.Begin();
        var path = PathOf("layout.safetensors");
        var x = Tensor.FromArray(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, new Shape(2, 3), D);
        var y = Tensor.FromArray(new[] { -1.5 }, new Shape(1), D);
        SafeTensors.Save(path, [new("x", x), new("y", y)]);
        var bytes = File.ReadAllBytes(path);
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        var json = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n)).RootElement;
        Assert.Equal("F32", json.GetProperty("x").GetProperty("dtype").GetString());
        Assert.Equal(new[] { 2, 3 }, json.GetProperty("x").GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(new long[] { 0, 24 }, json.GetProperty("x").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(new long[] { 24, 32 }, json.GetProperty("y").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(8 + n + 32, bytes.Length);
        Assert.Equal(3f, BitConverter.ToSingle(bytes, (int)(8 + n + 8)));
        Assert.Equal(-1.5, BitConverter.ToDouble(bytes, (int)(8 + n + 24)));
    }

    [Fact]
    public void MismatchedCheckpointsNameTheTensors()
    {
        using var small = new Model(2);
        using var large = new Model(3);
        var path = PathOf("small.safetensors");
        Checkpoint.Save(path, small);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, large));
        Assert.Contains("conv.weight is [2, 1, 3, 3, 3]", e.Message);
        Assert.Contains(path, e.Message);

        using (var scope = TensorScope.Begin())
        {
            var state = small.StateDict().Where(p => p.Key != "head.bias").Append(new("extra.thing", Tensor.Zeros(new Shape(1), device: D)));
            SafeTensors.Save(path, state);
        }
        e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, small));
        Assert.Contains("missing: head.bias", e.Message);
        Assert.Contains("unexpected: extra.thing", e.Message);
    }

    [Fact]
    public void CorruptFilesGiveClearErrors()
    {
        using var model = new Model(2);
        var path = PathOf("bad.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains("too short", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path)).Message);
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(1000L), .. "{}"u8]);
        Assert.Contains("header length 1000", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path)).Message);
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(8L), .. "not json"u8]);
        Assert.Contains("not valid JSON", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path)).Message);
        Checkpoint.Save(path, model);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^4]); // truncated data
        Assert.Contains("head.bias", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path)).Message);
        Assert.Throws<FileNotFoundException>(() => SafeTensors.Load(PathOf("missing.safetensors")));
    }

    [Theory]
    [InlineData("[1, 2, 3]", "not a JSON object")]
    [InlineData("{\"__metadata__\": {\"step\": 5}}", "metadata 'step' is not a string")]
    [InlineData("{\"__metadata__\": [1]}", "__metadata__ is not a JSON object")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", "names a key twice")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", "overlap")]
    public void HostileHeadersAreClearErrorsNamingTheFile(string header, string says)
    {
        // Header, padded to 8 bytes, then 8 data bytes.
        var json = Encoding.UTF8.GetBytes(header.PadRight((header.Length + 7) / 8 * 8));
        var path = PathOf("hostile.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)json.Length), .. json, .. new byte[8]]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(says, e.Message);
    }

    [Fact]
    public void AnInterruptedWriteKeepsThePreviousFile()
    {
        using var model = new Model(2);
        var path = PathOf("keep.safetensors");
        Checkpoint.Save(path, model);
        var before = File.ReadAllBytes(path);
        // A disposed tensor fails only when its bytes are copied, i.e. after the header has been written
        // to the temporary file: a genuine interruption in the middle of the write.
        var gone = Tensor.Zeros(new Shape(3), device: D);
        gone.Dispose();
        var failing = new Dictionary<string, Tensor> { ["ok"] = model.StateDict()["head.bias"], ["gone"] = gone };
        Assert.Throws<ObjectDisposedException>(() => SafeTensors.Save(path, failing));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Empty(_dir.GetFiles(".*.tmp"));
    }

    [Fact]
    public void Float64ModelsRoundTripExactly()
    {
        using var a = new Model(2, DType.Float64);
        using var b = new Model(3, DType.Float64);
        using var c = new Model(2, DType.Float32);
        var path = PathOf("f64.safetensors");
        Checkpoint.Save(path, a);
        Checkpoint.Load(path, c); // converts float64 -> float32
        Assert.Equal(a.StateDict()["head.weight"].ToArray<double>().Select(v => (float)v), c.StateDict()["head.weight"].ToArray<float>());
        Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, b));
    }
}
