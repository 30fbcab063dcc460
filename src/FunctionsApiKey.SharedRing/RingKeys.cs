using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace FunctionsApiKey.SharedRing;

/// <summary>
/// The keys that sign and check rings: ECDSA P-256. The publisher signs with a private key it reads from the vault;
/// instances check with public keys from configuration, so a ring can be checked (and served) while the vault is
/// down, and write access to the storage account alone cannot make a ring that any instance accepts.
/// </summary>
internal static class RingKeys
{
    /// <summary>Bytes of a P-256 signature in the IEEE P1363 form (r and s, 32 bytes each).</summary>
    public const int SignatureSize = 64;

    /// <summary>Bytes of a key id: the first 8 bytes of the SHA-256 of the public key's SubjectPublicKeyInfo.</summary>
    public const int KeyIdSize = 8;

    /// <summary>The id that names a public key in a signed ring.</summary>
    public static byte[] KeyIdOf(ECDsa key) => SHA256.HashData(key.ExportSubjectPublicKeyInfo())[..KeyIdSize];

    /// <summary>Reads a signing key written as a PKCS#8 PEM (<c>-----BEGIN PRIVATE KEY-----</c>), as the vault holds it.</summary>
    public static bool TryReadPrivateKey(string pem, [NotNullWhen(true)] out ECDsa? key)
    {
        var candidate = ECDsa.Create();
        try
        {
            candidate.ImportFromPem(pem);
            if (candidate.KeySize == 256 && candidate.ExportParameters(includePrivateParameters: true).D is { Length: > 0 })
            {
                key = candidate;
                return true;
            }
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
        }

        candidate.Dispose();
        key = null;
        return false;
    }

    /// <summary>Reads a public key written as base64 of its DER SubjectPublicKeyInfo (one line, for an app setting).</summary>
    public static bool TryReadPublicKey(string base64, [NotNullWhen(true)] out ECDsa? key)
    {
        var candidate = ECDsa.Create();
        try
        {
            candidate.ImportSubjectPublicKeyInfo(Convert.FromBase64String(base64), out var read);
            if (candidate.KeySize == 256 && read == Convert.FromBase64String(base64).Length)
            {
                key = candidate;
                return true;
            }
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
        }

        candidate.Dispose();
        key = null;
        return false;
    }

    /// <summary>A public key as configuration writes it: base64 of its DER SubjectPublicKeyInfo.</summary>
    public static string PublicKeyText(ECDsa key) => Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
}
