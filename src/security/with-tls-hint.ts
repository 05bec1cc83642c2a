import { explainTlsFailure } from './tls-failure.js';

/** `; <explanation>` when `err` is a TLS failure of `section`'s connection, else ''. For the end of an error message. */
export function withTlsHint(err: unknown, section: 'source' | 'state'): string {
  const explanation = explainTlsFailure(err, section);
  return explanation === undefined ? '' : `; ${explanation}`;
}
