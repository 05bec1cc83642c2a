import { createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { argon2i, argon2id } from 'hash-wasm';
import type { PasswordHashInfo } from '../password/password-hash-info.js';

/**
 * A password hash made for a canary user in a legacy format, in the form cidaas is sent
 * (`password_hash_info`), with the parameters a sampled legacy user of that format has
 * (bcrypt cost, PBKDF2 iterations and key length, SHA salt or none, argon2 m/t/p), so
 * that the tenant is asked to verify exactly what the migration will give it. The salt
 * is random ASCII: it reads the same as text and as bytes, so the hash is right for
 * either `saltEncoding` once the salt is sent the way the setting says.
 *
 * Returns undefined for what cannot be made here: `CUSTOM_<name>` (the customer's own
 * verification service checks it) and formats the sample does not describe well enough.
 */
export async function canaryHash(sample: PasswordHashInfo, password: string): Promise<PasswordHashInfo | undefined> {
  const id = sample.algorithmTypeId;
  const bcryptCost = /^BCRYPT_(\d+)$/.exec(id);
  if (bcryptCost) return { algorithmTypeId: id, passwordHash: await bcrypt.hash(password, Number(bcryptCost[1])) };
  const pbkdf2 = /^PBKDF2_(SHA1|SHA256|SHA512)$/.exec(id);
  if (pbkdf2) {
    const iterations = sample.hData?.iterations ?? '10000';
    const keylen = Buffer.from(sample.passwordHash, 'base64').length || 32;
    const salt = asciiSalt();
    const key = pbkdf2Sync(password, salt, Number(iterations), keylen, pbkdf2[1]!.toLowerCase());
    return { algorithmTypeId: id, passwordHash: key.toString('base64'), hData: { ...sample.hData, salt: Buffer.from(salt).toString('base64'), iterations } };
  }
  if (id === 'SHA256' || id === 'SHA1') {
    const salt = sample.hData?.salt === undefined ? undefined : asciiSalt();
    const digest = createHash(id === 'SHA256' ? 'sha256' : 'sha1').update(password, 'utf8').update(salt ?? '').digest('hex');
    return { algorithmTypeId: id, passwordHash: digest, ...(salt === undefined ? {} : { hData: { salt: Buffer.from(salt).toString('base64') } }) };
  }
  if (id === 'ARGON2') {
    const m = /^\$(argon2id|argon2i)\$(?:v=\d+\$)?m=(\d+),t=(\d+),p=(\d+)\$/.exec(sample.passwordHash);
    if (!m) return undefined;
    const params = {
      password, salt: randomBytes(16), parallelism: Number(m[4]), iterations: Number(m[3]), memorySize: Number(m[2]), hashLength: 32, outputType: 'encoded' as const,
    };
    return { algorithmTypeId: id, passwordHash: m[1] === 'argon2i' ? await argon2i(params) : await argon2id(params) };
  }
  return undefined;
}

/** A random salt of letters and digits: the same bytes whether read as text or as bytes. */
export function asciiSalt(): string {
  return randomBytes(12).toString('base64url').replace(/[-_]/g, 'x');
}
