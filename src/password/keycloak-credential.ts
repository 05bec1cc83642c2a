import { parseArgon2Hash } from './argon2-hash.js';
import { decodeBase64, toBase64 } from './hash-bytes.js';
import type { RecognizedHash } from './password-hash-info.js';
import { parseIterations, pbkdf2Keylen, type Pbkdf2AlgorithmTypeId } from './pbkdf2-hash.js';

/*
 * Keycloak keeps a password as two JSON documents in its `credential` table (type 'password'),
 * read here as Keycloak's own classes write them (keycloak/keycloak, server-spi):
 *
 * - secret_data, PasswordSecretData: {"value": "<base64 derived key>", "salt": "<base64 salt
 *   bytes>", "additionalParameters": {}} (newer versions write the map as "algorithmData");
 * - credential_data, PasswordCredentialData: {"hashIterations": 27500, "algorithm":
 *   "pbkdf2-sha256", "additionalParameters": {}}.
 *
 * Algorithms (server-spi-private .../credential/hash/Pbkdf2PasswordHashProvider.java and its
 * factories): "pbkdf2" (HMAC-SHA1), "pbkdf2-sha256" (the default up to Keycloak 23, 27,500
 * iterations), "pbkdf2-sha512" (210,000 iterations); each derives DEFAULT_DERIVED_KEY_SIZE = 512
 * bits, so SHA-1 and SHA-256 hashes need hData.keylen 64. Keycloak pads a password shorter than
 * 14 characters with NUL characters before PBKDF2 (a FIPS workaround in the same file); that
 * changes nothing: HMAC pads its key with zero bytes to the block size (RFC 2104), and 14 bytes
 * are far below SHA-1's and SHA-256's 64 and SHA-512's 128, so cidaas's plain PBKDF2 verifies.
 * "argon2" (Keycloak 24+, crypto/default .../Argon2PasswordHashProvider.java): the raw hash in
 * "value", the salt in "salt", the iterations in hashIterations, and type ("id", "i", "d"),
 * version ("1.3", "1.0"), memory (KiB) and parallelism as one-element lists in the
 * additional parameters: rebuilt as the PHC string cidaas's ARGON2 takes.
 */

const PBKDF2_ALGORITHMS: Readonly<Record<string, Pbkdf2AlgorithmTypeId>> = {
  pbkdf2: 'PBKDF2_SHA1',
  'pbkdf2-sha256': 'PBKDF2_SHA256',
  'pbkdf2-sha512': 'PBKDF2_SHA512',
};
const ARGON2_VERSIONS: Readonly<Record<string, number>> = { '1.3': 19, '1.0': 16 };
const PREFIX = 'Keycloak credential';

type Json = Record<string, unknown>;

function parseObject(text: unknown): Json | undefined {
  if (typeof text !== 'string' || !text.trimStart().startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** The first value of a Keycloak MultivaluedHashMap parameter (`{"memory": ["65536"]}`). */
function parameter(data: Json, name: string): string | undefined {
  const map = (data['algorithmData'] ?? data['additionalParameters']) as Json | undefined;
  const v = map?.[name];
  const first: unknown = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' || typeof first === 'number' ? String(first) : undefined;
}

/**
 * Reads Keycloak's password credential: `secretData` from `secret_data`, `credentialData` from
 * `credential_data` (`password.parameters`). Reasons never hold the hash or the salt.
 *
 * @returns undefined when `secretData` is not a JSON object with a `value` (not this format).
 */
export function parseKeycloakCredential(secretData: string, credentialData: unknown): RecognizedHash | undefined {
  const secret = parseObject(secretData);
  if (!secret || typeof secret['value'] !== 'string') return undefined;
  const params = parseObject(credentialData instanceof Uint8Array ? Buffer.from(credentialData).toString('utf8') : credentialData);
  if (!params) {
    return { ok: false, reason: `${PREFIX} (JSON secret_data) needs its credential_data for the algorithm and iterations: set \`password.parameters: credential_data\`` };
  }
  const algorithm = typeof params['algorithm'] === 'string' ? params['algorithm'] : '';
  const iterations = parseIterations(params['hashIterations']);
  if (iterations === undefined) return { ok: false, reason: `${PREFIX} has no valid hashIterations in credential_data` };
  const derived = decodeBase64(secret['value']);
  const salt = typeof secret['salt'] === 'string' ? decodeBase64(secret['salt']) : undefined;
  if (derived === undefined || derived.length === 0) return { ok: false, reason: `${PREFIX} value is not base64` };
  if (salt === undefined || salt.length === 0) return { ok: false, reason: `${PREFIX} has a missing or undecodable salt` };

  const pbkdf2 = PBKDF2_ALGORITHMS[algorithm];
  if (pbkdf2 !== undefined) {
    const keylen = pbkdf2Keylen(pbkdf2, derived.length);
    if (keylen === undefined) return { ok: false, reason: `${PREFIX} (${algorithm}) derives ${derived.length} bytes, outside the 16..128 cidaas takes` };
    return { ok: true, info: { algorithmTypeId: pbkdf2, passwordHash: toBase64(derived), hData: { salt: toBase64(salt), iterations, ...keylen } } };
  }
  if (algorithm === 'argon2') return keycloakArgon2(params, iterations, salt, derived);
  const shown = /^[a-z0-9-]{1,24}$/.test(algorithm) ? `"${algorithm}"` : '(unreadable)';
  return { ok: false, reason: `${PREFIX} algorithm ${shown} has no cidaas algorithm: map it to CUSTOM_<name> in a mapping module` };
}

function keycloakArgon2(params: Json, iterations: string, salt: Buffer, derived: Buffer): RecognizedHash {
  const type = parameter(params, 'type') ?? 'id';
  const version = ARGON2_VERSIONS[parameter(params, 'version') ?? '1.3'];
  const memory = parameter(params, 'memory');
  const parallelism = parameter(params, 'parallelism');
  if (!['id', 'i', 'd'].includes(type) || version === undefined || !memory || !/^\d+$/.test(memory) || !parallelism || !/^\d+$/.test(parallelism)) {
    return { ok: false, reason: `${PREFIX} (argon2) lacks its type, version, memory or parallelism in credential_data` };
  }
  const b64 = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');
  const phc = `$argon2${type}$v=${version}$m=${memory},t=${iterations},p=${parallelism}$${b64(salt)}$${b64(derived)}`;
  return parseArgon2Hash(phc) ?? { ok: false, reason: `${PREFIX} (argon2) does not make a PHC string` };
}
