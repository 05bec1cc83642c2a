import type { EmulatorState } from './emulator-state.js';
import type { Reply } from './envelopes.js';
import { ErrorCodes, serviceError } from './envelopes.js';
import { isObject, parseJson } from './http-io.js';
import { toPublicUser } from './stored-user.js';

const PAGE_MAX = 10_000;

/**
 * POST /user-ext-srv/bulkread/users: every user, page by page, in `sub` order (the only
 * `sortfield` the emulator serves). Body `{"size", "sortfield": "sub", "searchAfter":
 * [<last sub>]}`; answers `{"users": [...], "pitId"}` (the bare form; cidaas's envelope
 * here is not known), or 204 when nothing is left.
 */
export function handleBulkRead(state: EmulatorState, body: Buffer): Reply {
  const parsed = parseJson(body);
  if (!parsed.ok || !isObject(parsed.value)) return bad('the body must be a JSON object');
  const q = parsed.value;
  const size = q['size'] ?? 1000;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > PAGE_MAX) return bad(`size must be an integer 1..${PAGE_MAX}`);
  if (q['sortfield'] !== undefined && q['sortfield'] !== 'sub') return bad('the emulator sorts bulkread by sub only');
  const after = q['searchAfter'];
  if (after !== undefined && !(Array.isArray(after) && after.length === 1 && typeof after[0] === 'string')) return bad('searchAfter must be [<last sub>]');
  const users = state.store.page(after?.[0] as string | undefined, size);
  if (users.length === 0) return { status: 204, body: undefined };
  return { status: 200, body: { users: users.map(toPublicUser), pitId: null } };
}

function bad(message: string): Reply {
  return serviceError(400, 'UsersException', message, ErrorCodes.invalidRequest);
}
