import type { FieldGroup } from '../digest/fingerprints.js';
import type { DomainEvent } from '../observability/metrics.js';
import type { OnRevoked } from './push-plan.js';

const EVENT_OF_GROUP: Partial<Record<FieldGroup, DomainEvent>> = { email: 'email.changed', password: 'password.changed', mfa: 'mfa.changed' };

/**
 * The domain events a push is planned to cause: `user.created` for a user never pushed (or pushed
 * again under a reused key), else `user.updated` and one event per changed group it names; and
 * `password.revoked` when the push revokes a password.
 */
export function plannedEvents(known: boolean, changed: readonly FieldGroup[], revoke: OnRevoked | null): DomainEvent[] {
  const events: DomainEvent[] = known ? ['user.updated', ...changed.flatMap((g) => EVENT_OF_GROUP[g] ?? [])] : ['user.created'];
  if (revoke) events.push('password.revoked');
  return events;
}

/**
 * The events a push caused, once cidaas answered: cidaas is the judge of created vs updated (the
 * state store may have been reset), so CREATED is `user.created` alone and UPDATED always
 * includes `user.updated`.
 */
export function confirmedEvents(planned: readonly DomainEvent[], status: 'CREATED' | 'UPDATED'): DomainEvent[] {
  if (status === 'CREATED') return ['user.created'];
  const events = planned.filter((e) => e !== 'user.created');
  if (!events.includes('user.updated')) events.unshift('user.updated');
  return events;
}
