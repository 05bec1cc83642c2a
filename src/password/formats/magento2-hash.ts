import { createHash } from 'node:crypto';
import { argon2id } from 'hash-wasm';
import { equalText } from './constant-time.js';
import { CustomAlgorithm } from './custom-algorithm.js';
import type { CustomHashFormat } from './custom-hash-format.js';

/*
 * Magento 2 `hash:salt:version[:version...]` (lib/internal/Magento/Framework/Encryption/
 * Encryptor.php). Each version is applied in turn to the previous result:
 *   0 -> md5(salt + x), 1 -> sha256(salt + x)    (hex)
 *   2 -> argon2id13 with libsodium's "interactive" limits (ops 2, mem 64 MiB, 32 bytes)
 *   3_<seedBytes>_<opsLimit>_<memLimit> -> argon2id13 with those limits (2.4's "agnostic" form)
 * libsodium's argon2id takes exactly 16 salt bytes: Magento cuts longer salts and pads
 * shorter ones by repeating them (str_pad). Parallelism is always 1 in libsodium.
 */

const SALT_BYTES = 16;
const INTERACTIVE = { seedBytes: 32, opsLimit: 2, memLimit: 67_108_864 } as const;
/** Limits above which a check is refused rather than run (a hash asking for 4 GiB is an attack or a typo). */
const LIMITS = { seedBytes: 64, opsLimit: 10, memLimit: 268_435_456 } as const;

type Step = { kind: 'md5' | 'sha256' } | { kind: 'argon2id'; seedBytes: number; opsLimit: number; memLimit: number };

function parseStep(version: string): Step | undefined {
  if (version === '0') return { kind: 'md5' };
  if (version === '1') return { kind: 'sha256' };
  if (version === '2') return { kind: 'argon2id', ...INTERACTIVE };
  const m = /^3_(\d{1,3})_(\d{1,3})_(\d{1,12})$/.exec(version);
  if (!m) return undefined;
  return { kind: 'argon2id', seedBytes: Number(m[1]), opsLimit: Number(m[2]), memLimit: Number(m[3]) };
}

function parse(hash: string): { digest: string; salt: string; steps: Step[] } | string {
  const parts = hash.split(':');
  if (parts.length < 3 || !/^[0-9a-f]{32,128}$/.test(parts[0]!)) return 'not a Magento 2 <hex hash>:<salt>:<version> hash';
  const steps: Step[] = [];
  for (const v of parts.slice(2)) {
    const step = parseStep(v);
    if (!step) return 'Magento 2 hash with an unknown version (known: 0, 1, 2, 3_<seed>_<ops>_<mem>)';
    if (step.kind === 'argon2id' && (step.seedBytes < 16 || step.seedBytes > LIMITS.seedBytes || step.opsLimit < 1 || step.opsLimit > LIMITS.opsLimit || step.memLimit < 8192 || step.memLimit > LIMITS.memLimit)) {
      return 'Magento 2 argon2id hash with limits outside what the verifier runs (seed 16..64 bytes, ops 1..10, mem 8 KiB..256 MiB)';
    }
    steps.push(step);
  }
  return { digest: parts[0]!, salt: parts[1]!, steps };
}

/** PHP's str_pad($salt, 16, $salt) after substr($salt, 0, 16), on the salt's bytes. */
function sodiumSalt(salt: string): Buffer {
  const bytes = Buffer.from(salt, 'utf8');
  if (bytes.length === 0) return Buffer.alloc(SALT_BYTES);
  const out = Buffer.alloc(SALT_BYTES);
  for (let i = 0; i < SALT_BYTES; i++) out[i] = bytes[i % bytes.length]!;
  return out;
}

/** Magento 2 `hash:salt:version`. */
export const magento2Hash: CustomHashFormat = {
  id: CustomAlgorithm.magento2,
  title: 'Magento 2 hash:salt:version (md5, sha256, argon2id13)',
  problem: (hash) => {
    const p = parse(hash);
    return typeof p === 'string' ? p : undefined;
  },
  verify: async (password, hash) => {
    const p = parse(hash) as Exclude<ReturnType<typeof parse>, string>;
    let recreated = password;
    for (const step of p.steps) {
      if (step.kind === 'argon2id') {
        recreated = await argon2id({
          password: recreated,
          salt: sodiumSalt(p.salt),
          iterations: step.opsLimit,
          memorySize: Math.floor(step.memLimit / 1024),
          parallelism: 1,
          hashLength: step.seedBytes,
          outputType: 'hex',
        });
      } else {
        recreated = createHash(step.kind).update(p.salt, 'utf8').update(recreated, 'utf8').digest('hex');
      }
    }
    return equalText(recreated, p.digest);
  },
};
