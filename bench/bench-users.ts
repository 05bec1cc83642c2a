import { createHash } from 'node:crypto';
import { base32Encode } from '../tools/totp.js';

const FIRST = ['Anna', 'Ben', 'Clara', 'David', 'Emma', 'Felix', 'Greta', 'Hannes', 'Ida', 'Jonas', 'Klara', 'Lukas'];
const LAST = ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann'];
const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A realistic migrated user number `n`: distinct sub, email and 60-character bcrypt
 * hash, names, a customer number, a mobile number for half of them and a TOTP secret
 * for one in ten. Deterministic, so runs compare.
 */
export function benchUser(n: number): Record<string, unknown> {
  const digest = createHash('sha256').update(String(n)).digest();
  let salted = '';
  for (let i = 0; i < 53; i++) salted += BCRYPT_ALPHABET[digest[i % 32]! % 64];
  const user: Record<string, unknown> = {
    sub: `legacy-${n}`,
    userStatus: 'VERIFIED',
    provider: 'self',
    email: `user${n}@example.com`,
    email_verified: true,
    given_name: FIRST[n % FIRST.length],
    family_name: LAST[(n * 7) % LAST.length],
    locale: 'de-DE',
    customFields: { customer_no: 100000 + n },
    password_hash_info: { algorithmTypeId: 'BCRYPT_10', passwordHash: `$2b$10$${salted}` },
    createdTime: new Date(1_500_000_000_000 + n * 60_000).toISOString(),
  };
  if (n % 2 === 0) user['mobile_number'] = `+49151${String(n).padStart(8, '0')}`;
  if (n % 10 === 0) {
    user['mfa_enabled'] = true;
    user['mfa'] = { totp: { secret: base32Encode(digest.subarray(0, 20)), algorithm: 'SHA1', digits: 6, period: 30 } };
  }
  return user;
}
