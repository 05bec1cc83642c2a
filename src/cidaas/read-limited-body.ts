import { SyncError } from '../errors.js';

/** The largest answer cidaas-sync reads from cidaas (a search page of users is the largest; far below this). */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * Reads a response body as UTF-8 text, at most `maxBytes`: a larger answer (a misrouted URL, a
 * broken proxy, a hostile peer) is cut off and refused instead of filling the memory.
 */
export async function readLimitedBody(body: AsyncIterable<Uint8Array> & { destroy?(err?: Error): unknown }, maxBytes: number, endpoint: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      const err = new SyncError('CIDAAS_UNAVAILABLE', `cidaas answered ${endpoint} with more than ${maxBytes} bytes; cidaas-sync reads no more (is cidaas.baseUrl the tenant, not a proxy or another service?)`);
      body.destroy?.(err);
      throw err;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
