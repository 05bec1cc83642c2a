import type { DifferingUser, UnmappableUser, VerifyCounts, VerifyGroup } from './verify-report.js';

/** The verdict on one user key. */
export type UserVerdict =
  /** cidaas matches the mapped user, or the deleted user is absent from cidaas as it should be. */
  | { readonly kind: 'equal'; readonly key: string; readonly totpReenrol?: boolean }
  /** The mapping module said 'skip': not compared. */
  | { readonly kind: 'skipped'; readonly key: string }
  /** The orphan pass found the legacy row: the key belongs to the main pass. */
  | { readonly kind: 'live'; readonly key: string }
  | { readonly kind: 'missing'; readonly key: string }
  | { readonly kind: 'deleted-present'; readonly key: string }
  | {
    readonly kind: 'differing'; readonly key: string; readonly sub: string; readonly groups: VerifyGroup[]; readonly totpReenrol?: boolean;
    /** cidaas holds a TOTP seed legacy removed (strandedTotp): an admin must reset the user's MFA there. */
    readonly totpStranded?: boolean;
  }
  | { readonly kind: 'unmappable'; readonly key: string; readonly reason: string };

/**
 * Collects findings with exact counts while keeping at most `keep` entries per kind in memory,
 * so a run where everything differs does not hold a million entries.
 */
export class VerifyFindings {
  readonly missing: string[] = [];
  readonly deletedButPresent: string[] = [];
  readonly differing: DifferingUser[] = [];
  readonly unmappable: UnmappableUser[] = [];
  readonly counts: Omit<VerifyCounts, 'deadLetters'> = {
    missingInCidaas: 0, deletedButPresent: 0, differing: 0, unmappable: 0,
    differingByGroup: { profile: 0, email: 0, password: 0, mfa: 0, groups: 0, identities: 0, 'modified-in-cidaas': 0 },
  };
  /** Differing users whose TOTP seed legacy removed but cidaas still holds: count, and the first keys. */
  readonly totpStranded = { count: 0, keys: [] as string[] };
  /** Keys of the kept findings, in the order found. */
  readonly keys: string[] = [];
  /** True when some finding was counted but not kept. */
  overflowed = false;

  constructor(private readonly keep: number) {}

  add(v: UserVerdict): void {
    switch (v.kind) {
      case 'missing':
        this.counts.missingInCidaas++;
        this.#keep(this.missing, v.key, v.key);
        break;
      case 'deleted-present':
        this.counts.deletedButPresent++;
        this.#keep(this.deletedButPresent, v.key, v.key);
        break;
      case 'differing':
        this.counts.differing++;
        for (const g of v.groups) this.counts.differingByGroup[g]++;
        this.#keep(this.differing, { key: v.key, sub: v.sub, groups: v.groups }, v.key);
        if (v.totpStranded) {
          this.totpStranded.count++;
          if (this.totpStranded.keys.length < this.keep) this.totpStranded.keys.push(v.key);
        }
        break;
      case 'unmappable':
        this.counts.unmappable++;
        this.#keep(this.unmappable, { key: v.key, reason: v.reason }, v.key);
        break;
      default:
        break;
    }
  }

  /** The number of findings counted. */
  get total(): number {
    const c = this.counts;
    return c.missingInCidaas + c.deletedButPresent + c.differing + c.unmappable;
  }

  #keep<T>(list: T[], entry: T, key: string): void {
    if (list.length >= this.keep) {
      this.overflowed = true;
      return;
    }
    list.push(entry);
    this.keys.push(key);
  }
}
