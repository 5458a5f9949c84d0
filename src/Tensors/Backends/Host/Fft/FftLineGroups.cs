using System.Numerics;

namespace VoxelGan.Tensors.Host;

/// <summary>
/// Splits the lines of an (outer, n, inner) complex tensor into groups of G = lane-count lines and
/// moves a group between the interleaved tensor and scratch, where element t of lane l is at
/// re[t * 2G + l], im[t * 2G + l] (re and im are G apart, in either order).
/// Element t of line (o, i) is the complex number at index (o * n + t) * inner + i.
/// </summary>
/// <remarks>
/// inner &gt;= G: a group is G neighbours along inner within one o, so each element is one contiguous
/// run of G complex numbers (vector loads); a short tail group per o takes the lane-by-lane path.
/// inner = 1: a group is G whole contiguous lines, moved by G x G block transposes (G / 2 complex
/// elements per block) plus a lane-by-lane tail. Other inner &lt; G: G consecutive lines of the
/// flattened (o, i) order, lane by lane. Unused lanes of a partial group are zero-filled and never
/// written back.
/// </remarks>
internal readonly unsafe struct FftLineGroups
{
    readonly long _n, _inner, _lines, _perOuter;
    readonly int _g;
    public readonly long Count;

    public FftLineGroups(int outer, int n, int inner, int g)
    {
        _n = n; _inner = inner; _g = g;
        _lines = (long)outer * inner;
        _perOuter = (inner + g - 1) / g;
        Count = inner >= g ? outer * _perOuter : (_lines + g - 1) / g;
    }

    bool IsWide => _inner >= _g;

    int Lanes(long group) => (int)(IsWide ? Math.Min(_g, _inner - group % _perOuter * _g) : Math.Min(_g, _lines - group * _g));

    /// <summary>Complex index of element 0 of the group's line in lane l.</summary>
    long LaneStart(long group, int lane)
    {
        if (IsWide)
            return group / _perOuter * _n * _inner + group % _perOuter * _g + lane;
        long l = group * _g + lane, o = l / _inner;
        return o * _n * _inner + (l - o * _inner);
    }

    /// <summary>Elements before this index go through block transposes (inner = 1, full groups only).</summary>
    long TransposedEnd(int lanes) => _inner == 1 && lanes == _g && _g >= 2 ? _n - _n % (_g / 2) : 0;

    public void Gather<T, TV, L>(T* x, long group, T* re, T* im)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where L : IFftLanes<T, TV>
    {
        int lanes = Lanes(group);
        nint e = 2 * _g;
        if (IsWide && lanes == _g)
        {
            T* src = x + 2 * LaneStart(group, 0);
            nint step = (nint)(2 * _inner);
            for (nint t = 0; t < _n; t++, src += step)
            {
                L.LoadInterleaved(src, out TV r, out TV i);
                L.Store(re + t * e, r);
                L.Store(im + t * e, i);
            }
            return;
        }
        long t0 = TransposedEnd(lanes);
        if (t0 > 0)
        {
            T* src = x + 2 * LaneStart(group, 0);
            int flip = im < re ? 1 : 0, half = _g / 2;
            T* dst = flip == 1 ? im : re;
            for (nint t = 0; t < t0; t += half)
                L.Transpose(src + 2 * t, (nint)(2 * _n), 0, dst + t * e, _g, flip);
        }
        nint stride = (nint)(2 * _inner);
        for (int l = 0; l < _g; l++)
        {
            if (l < lanes)
            {
                T* src = x + 2 * (LaneStart(group, l) + t0 * _inner);
                for (nint t = (nint)t0; t < _n; t++, src += stride)
                {
                    re[t * e + l] = src[0];
                    im[t * e + l] = src[1];
                }
            }
            else
            {
                for (nint t = 0; t < _n; t++)
                    re[t * e + l] = im[t * e + l] = T.Zero;
            }
        }
    }

    public void Scatter<T, TV, L>(T* y, long group, T* re, T* im)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where L : IFftLanes<T, TV>
    {
        int lanes = Lanes(group);
        nint e = 2 * _g;
        if (IsWide && lanes == _g)
        {
            T* dst = y + 2 * LaneStart(group, 0);
            nint step = (nint)(2 * _inner);
            for (nint t = 0; t < _n; t++, dst += step)
                L.StoreInterleaved(dst, L.Load(re + t * e), L.Load(im + t * e));
            return;
        }
        long t0 = TransposedEnd(lanes);
        if (t0 > 0)
        {
            T* dst = y + 2 * LaneStart(group, 0);
            int flip = im < re ? 1 : 0, half = _g / 2;
            T* src = flip == 1 ? im : re;
            for (nint t = 0; t < t0; t += half)
                L.Transpose(src + t * e, _g, flip, dst + 2 * t, (nint)(2 * _n), 0);
        }
        nint stride = (nint)(2 * _inner);
        for (int l = 0; l < lanes; l++)
        {
            T* dst = y + 2 * (LaneStart(group, l) + t0 * _inner);
            for (nint t = (nint)t0; t < _n; t++, dst += stride)
            {
                dst[0] = re[t * e + l];
                dst[1] = im[t * e + l];
            }
        }
    }
}
