using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace FunctionsApiKey.KeyRing;

/// <summary>
/// SHA-256 (FIPS 180-4) of a key given as ASCII characters, computed in managed code.
/// </summary>
/// <remarks>
/// Why not <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/>: for a key of a few dozen bytes the
/// digest itself is a small part of the platform call. On Linux the call goes through OpenSSL and sets up and tears
/// down a digest context every time. The micro benchmarks (FunctionApp.Benchmarks) measure this implementation against
/// that call in the same run. The code has no branches or table lookups that depend on the data, only on its
/// length, so its time says nothing about the key. The key is never copied to the heap, and the stack copies of
/// its bytes and message schedule are wiped before returning. Tests check it against the platform's SHA-256 for
/// every length from 0 to 1,100 bytes.
/// </remarks>
internal static class Sha256
{
    private const int BlockSize = 64;

    // An array, not a ReadOnlySpan<uint> property: in Debug builds that property allocates on every call.
    private static readonly uint[] RoundConstants =
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    /// <summary>Hashes <paramref name="ascii"/>, whose characters must all be below 0x80, into 32 bytes.</summary>
    public static void HashAscii(ReadOnlySpan<char> ascii, Span<byte> destination)
    {
        State state = default;
        state[0] = 0x6a09e667;
        state[1] = 0xbb67ae85;
        state[2] = 0x3c6ef372;
        state[3] = 0xa54ff53a;
        state[4] = 0x510e527f;
        state[5] = 0x9b05688c;
        state[6] = 0x1f83d9ab;
        state[7] = 0x5be0cd19;

        Schedule schedule = default;
        var fullBlocks = ascii.Length / BlockSize;
        for (var block = 0; block < fullBlocks; block++)
        {
            var chars = ascii.Slice(block * BlockSize, BlockSize);
            for (var i = 0; i < 16; i++)
            {
                schedule[i] = ((uint)chars[i * 4] << 24) | ((uint)chars[(i * 4) + 1] << 16) | ((uint)chars[(i * 4) + 2] << 8) | chars[(i * 4) + 3];
            }

            Compress(ref state, ref schedule);
        }

        // The rest, the 0x80 terminator, zero padding and the length in bits fill one or two final blocks.
        var rest = ascii[(fullBlocks * BlockSize)..];
        Span<byte> tail = stackalloc byte[BlockSize * 2];
        tail.Clear();
        for (var i = 0; i < rest.Length; i++)
        {
            tail[i] = (byte)rest[i];
        }

        tail[rest.Length] = 0x80;
        var tailBlocks = rest.Length < BlockSize - 8 ? 1 : 2;
        BinaryPrimitives.WriteUInt64BigEndian(tail[((tailBlocks * BlockSize) - 8)..], (ulong)ascii.Length * 8);
        for (var block = 0; block < tailBlocks; block++)
        {
            var bytes = tail.Slice(block * BlockSize, BlockSize);
            for (var i = 0; i < 16; i++)
            {
                schedule[i] = BinaryPrimitives.ReadUInt32BigEndian(bytes[(i * 4)..]);
            }

            Compress(ref state, ref schedule);
        }

        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[(i * 4)..], state[i]);
        }

        CryptographicOperations.ZeroMemory(tail);
        ((Span<uint>)schedule).Clear();
    }

    private static void Compress(ref State state, ref Schedule schedule)
    {
        Span<uint> w = schedule;
        for (var i = 16; i < 64; i++)
        {
            uint x = w[i - 15], y = w[i - 2];
            var s0 = uint.RotateRight(x, 7) ^ uint.RotateRight(x, 18) ^ (x >> 3);
            var s1 = uint.RotateRight(y, 17) ^ uint.RotateRight(y, 19) ^ (y >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }

        uint a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
        ReadOnlySpan<uint> k = RoundConstants;
        for (var i = 0; i < 64; i++)
        {
            var t1 = h + (uint.RotateRight(e, 6) ^ uint.RotateRight(e, 11) ^ uint.RotateRight(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
            var t2 = (uint.RotateRight(a, 2) ^ uint.RotateRight(a, 13) ^ uint.RotateRight(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }

        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }

    [InlineArray(8)]
    private struct State
    {
        private uint _element0;
    }

    [InlineArray(64)]
    private struct Schedule
    {
        private uint _element0;
    }
}
