import { decodeBase64, toBase64 } from './hash-bytes.js';
import type { RecognizedHash } from './password-hash-info.js';

// Layouts from aspnetcore src/Identity/Extensions.Core/src/PasswordHasher.cs:
// v2: 0x00 | salt (16) | subkey (32), PBKDF2-HMAC-SHA1, 1000 iterations.
// v3: 0x01 | prf (uint32 BE) | iterations (uint32 BE) | salt length (uint32 BE) | salt | subkey.
const V2 = { length: 49, saltLength: 16, iterations: '1000' } as const;
const V3_HEADER = 13;
const MIN_SALT = 8;
const MIN_SUBKEY = 16;
const PRF = ['PBKDF2_SHA1', 'PBKDF2_SHA256', 'PBKDF2_SHA512'] as const;

/**
 * Reads an ASP.NET (Core) Identity hash: base64 of the v2 or v3 byte layout, as
 * `PBKDF2_SHA1` (v2, v3 with HMACSHA1), `PBKDF2_SHA256` (v3 with HMACSHA256) or
 * `PBKDF2_SHA512` (v3 with HMACSHA512, the default since .NET 7; the id is ASSUMED the
 * way PBKDF2_SHA256 is), with hData.salt = base64 of the salt bytes and passwordHash =
 * base64 of the subkey.
 *
 * @returns undefined when `hash` is not base64 of a v2 or v3 layout.
 */
export function parseAspNetIdentityHash(hash: string): RecognizedHash | undefined {
  const bytes = decodeBase64(hash);
  if (bytes === undefined || bytes.length === 0) return undefined;
  if (bytes[0] === 0x00) {
    if (bytes.length !== V2.length) return undefined;
    const salt = bytes.subarray(1, 1 + V2.saltLength);
    const subkey = bytes.subarray(1 + V2.saltLength);
    return {
      ok: true,
      info: { algorithmTypeId: 'PBKDF2_SHA1', passwordHash: toBase64(subkey), hData: { salt: toBase64(salt), iterations: V2.iterations } },
    };
  }
  if (bytes[0] !== 0x01 || bytes.length < V3_HEADER) return undefined;
  const prf = PRF[bytes.readUInt32BE(1)];
  if (prf === undefined) return undefined;
  const iterations = bytes.readUInt32BE(5);
  const saltLength = bytes.readUInt32BE(9);
  if (iterations === 0 || saltLength < MIN_SALT || V3_HEADER + saltLength + MIN_SUBKEY > bytes.length) {
    return {
      ok: false,
      reason: `ASP.NET Identity v3 hash has an inconsistent layout (iterations ${iterations}, salt length ${saltLength}, ${bytes.length} bytes): is the column truncated?`,
    };
  }
  const salt = bytes.subarray(V3_HEADER, V3_HEADER + saltLength);
  const subkey = bytes.subarray(V3_HEADER + saltLength);
  return {
    ok: true,
    info: { algorithmTypeId: prf, passwordHash: toBase64(subkey), hData: { salt: toBase64(salt), iterations: String(iterations) } },
  };
}
