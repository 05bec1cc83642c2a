import type { TenantVariant } from './tenant-variant.js';

/**
 * A bulk user's `mfa` as a tenant with `totpRemoval` reads it: a removal in the shape it honours
 * becomes `mfa: {}` (which the parser and store read as "no TOTP"); a removal in another shape,
 * or any removal under `ignore`, is dropped unread, so the stored seed stays, as a tenant that
 * silently ignores the request would keep it. A seed (`mfa.totp` an object) passes through.
 * The shapes: `empty` `mfa: {}`, `null` `mfa: {"totp": null}` (docs/cidaas-api.md, "The TOTP seed").
 */
export function removalAsHonoured(given: Record<string, unknown>, honoured: TenantVariant['totpRemoval']): Record<string, unknown> {
  const mfa = given['mfa'];
  if (typeof mfa !== 'object' || mfa === null || Array.isArray(mfa)) return given;
  const keys = Object.keys(mfa);
  const shape = keys.length === 0 ? 'empty' : keys.length === 1 && (mfa as Record<string, unknown>)['totp'] === null ? 'null' : undefined;
  if (shape === undefined) return given;
  if (shape === honoured) return { ...given, mfa: {} };
  const { mfa: _ignored, ...rest } = given;
  return rest;
}
