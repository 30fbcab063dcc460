namespace FunctionsApiKey;

/// <summary>
/// CRC-32 (IEEE 802.3, the zlib and PNG one) over ASCII characters, slicing eight at a time, so the checksum of a
/// key's 43-character body costs a few dozen table reads and no encoding step. Callers pass only ASCII.
/// </summary>
internal static class Crc32
{
    private const uint Polynomial = 0xEDB88320;

    // Eight tables of 256: table k gives the CRC of a byte followed by k zero bytes.
    private static readonly uint[] Table = BuildTable();

    public static uint OfAscii(ReadOnlySpan<char> text)
    {
        var table = Table.AsSpan();
        var crc = uint.MaxValue;
        var i = 0;
        for (; i + 8 <= text.Length; i += 8)
        {
            var low = crc ^ (text[i] | (uint)text[i + 1] << 8 | (uint)text[i + 2] << 16 | (uint)text[i + 3] << 24);
            var high = text[i + 4] | (uint)text[i + 5] << 8 | (uint)text[i + 6] << 16 | (uint)text[i + 7] << 24;
            crc = table[(7 * 256) + (int)(low & 0xFF)] ^ table[(6 * 256) + (int)((low >> 8) & 0xFF)]
                ^ table[(5 * 256) + (int)((low >> 16) & 0xFF)] ^ table[(4 * 256) + (int)(low >> 24)]
                ^ table[(3 * 256) + (int)(high & 0xFF)] ^ table[(2 * 256) + (int)((high >> 8) & 0xFF)]
                ^ table[256 + (int)((high >> 16) & 0xFF)] ^ table[(int)(high >> 24)];
        }

        for (; i < text.Length; i++)
        {
            crc = table[(int)((crc ^ text[i]) & 0xFF)] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint b = 0; b < 256; b++)
        {
            var crc = b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ Polynomial : crc >> 1;
            }

            table[b] = crc;
        }

        for (var k = 1; k < 8; k++)
        {
            for (var b = 0; b < 256; b++)
            {
                var previous = table[((k - 1) * 256) + b];
                table[(k * 256) + b] = (previous >> 8) ^ table[(int)(previous & 0xFF)];
            }
        }

        return table;
    }
}
