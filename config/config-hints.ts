/** What an error message says about a key: an example to write and, if useful, why. */
export interface ConfigHint {
  /** A line the user can paste, e.g. `batchSize: 50`. */
  example: string;
  /** What the key is for or what limits it, shown in parentheses. */
  why?: string;
}

/**
 * Hints by key path. `*` stands for any key of a map (`users.fields.*`; `$key` in its
 * example becomes the key written), `[]` for any list element. A key without an entry
 * gets a message without an example.
 */
export const CONFIG_HINTS: Readonly<Record<string, ConfigHint>> = {
  source: { example: 'source: { kind: postgres, url: ${LEGACY_DATABASE_URL} }', why: 'where the replication log comes from' },
  'source.kind': { example: 'kind: postgres', why: 'postgres, or mysql for MySQL and MariaDB' },
  'source.url': { example: 'url: ${LEGACY_DATABASE_URL}', why: 'a role with REPLICATION and SELECT' },
  'source.slot': { example: 'slot: cidaas_sync', why: 'the logical replication slot, created on first run' },
  'source.publication': { example: 'publication: cidaas_sync' },
  'source.serverId': { example: 'serverId: 4711', why: 'a replica id no other replica of the server uses' },
  'source.heartbeat': { example: 'heartbeat: { table: cidaas_sync_heartbeat, intervalSeconds: 30 }' },
  'source.heartbeat.table': { example: 'table: cidaas_sync_heartbeat' },
  'source.heartbeat.intervalSeconds': { example: 'intervalSeconds: 30' },
  users: { example: 'users: { table: public.users, key: id, fields: { email: email } }', why: 'the table with one row per user' },
  'users.table': { example: 'table: public.users', why: 'the table with one row per user' },
  'users.key': { example: 'key: id', why: 'the column that identifies a user; it becomes the cidaas sub' },
  'users.softDelete': { example: 'softDelete: { column: deleted_at }' },
  'users.softDelete.column': { example: 'column: deleted_at' },
  'users.softDelete.equals': { example: 'equals: false', why: 'the value that means deleted' },
  'users.fields': { example: 'fields: { email: email, given_name: first_name }', why: 'cidaas field: legacy column' },
  'users.fields.*': { example: '$key: <column>', why: 'cidaas field: legacy column' },
  'users.customFields': { example: 'customFields: { customer_no: customer_number }' },
  'users.customFields.*': { example: '$key: <column>' },
  'users.ignoreColumns': { example: 'ignoreColumns: [last_login_at]' },
  'users.ignoreColumns[]': { example: 'ignoreColumns: [last_login_at]' },
  password: { example: 'password: { hash: password_hash }' },
  'password.table': { example: 'table: public.credentials' },
  'password.userKey': { example: 'userKey: user_id' },
  'password.hash': { example: 'hash: password_hash', why: 'the column with the password hash' },
  'password.algorithm': {
    example: 'algorithm: auto',
    why: 'auto, a cidaas algorithmTypeId such as BCRYPT_10 or CUSTOM_PHPASS, or { column: <column> }',
  },
  'password.algorithm.column': { example: 'algorithm: { column: hash_algo }' },
  'password.salt': { example: 'salt: password_salt' },
  'password.iterations': { example: 'iterations: password_iterations' },
  mfa: { example: 'mfa: { table: public.totp_devices, userKey: user_id, secret: secret_base32 }' },
  'mfa.table': { example: 'table: public.totp_devices' },
  'mfa.userKey': { example: 'userKey: user_id' },
  'mfa.secret': { example: 'secret: secret_base32', why: 'the column with the TOTP secret' },
  'mfa.encoding': { example: 'encoding: base32', why: 'base32, or hex as django-otp stores keys' },
  'mfa.enabled': { example: 'enabled: confirmed' },
  attributes: { example: 'attributes: { table: wp_usermeta, userKey: user_id, name: meta_key, value: meta_value }' },
  'attributes.table': { example: 'table: wp_usermeta' },
  'attributes.userKey': { example: 'userKey: user_id' },
  'attributes.name': { example: 'name: meta_key' },
  'attributes.value': { example: 'value: meta_value' },
  'attributes.fields': { example: 'fields: { given_name: first_name }', why: 'cidaas field: attribute name' },
  'attributes.fields.*': { example: '$key: <meta key>', why: 'cidaas field: attribute name' },
  'attributes.customFields': { example: 'customFields: { billing_country: billing_country }' },
  'attributes.customFields.*': { example: '$key: <meta key>' },
  'attributes.ignoreNames': { example: 'ignoreNames: [session_tokens]' },
  'attributes.ignoreNames[]': { example: 'ignoreNames: [session_tokens]' },
  sub: { example: 'sub: { prefix: "legacy-" }' },
  'sub.prefix': { example: 'prefix: "legacy-"', why: 'cidaas sub = prefix + legacy key' },
  mapping: { example: 'mapping: ./mapping.ts', why: 'relative to this file' },
  cidaas: {
    example: 'cidaas: { baseUrl: https://acme.cidaas.eu, clientId: ${CIDAAS_CLIENT_ID}, clientSecret: ${file:/run/secrets/cidaas_client_secret} }',
  },
  'cidaas.baseUrl': { example: 'baseUrl: https://acme.cidaas.eu', why: 'your cidaas tenant' },
  'cidaas.clientId': { example: 'clientId: ${CIDAAS_CLIENT_ID}' },
  'cidaas.clientSecret': { example: 'clientSecret: ${file:/run/secrets/cidaas_client_secret}' },
  'cidaas.batchSize': { example: 'batchSize: 50', why: 'cidaas accepts 1..50 users per bulk call' },
  'cidaas.concurrency': { example: 'concurrency: 4', why: 'bulk calls in flight, 1..64' },
  'cidaas.onDelete': { example: 'onDelete: purge', why: 'purge deletes the user, lock sets userStatus LOCKED, ignore leaves cidaas as it is' },
  'cidaas.requestTimeoutMs': { example: 'requestTimeoutMs: 30000', why: '1000..600000 ms' },
  state: { example: 'state: { url: sqlite:./state/cidaas-sync.db }' },
  'state.url': { example: 'url: sqlite:./state/cidaas-sync.db', why: 'sqlite:<file>, postgres://... or mysql://...' },
  http: { example: 'http: { port: 9464 }' },
  'http.port': { example: 'port: 9464', why: '0 picks a free port' },
  'http.host': { example: 'host: 0.0.0.0' },
  'http.readyLagSeconds': { example: 'readyLagSeconds: 60', why: '/readyz fails while the sidecar is further behind than this' },
  'engine.maxDirtyUsers': { example: 'maxDirtyUsers: 100000', why: 'reading pauses while this many users wait to be pushed' },
  'engine.flushIntervalMs': { example: 'flushIntervalMs: 200' },
  'engine.readRetryMs': { example: 'readRetryMs: 50' },
  'engine.maxDelayMs': { example: 'maxDelayMs: 1000' },
  'engine.readRetryMaxMs': { example: 'readRetryMaxMs: 30000' },
};

/** The hint for a key path such as `users.fields.mail` or `users.ignoreColumns[2]`. */
export function hintFor(path: readonly PropertyKey[]): ConfigHint | undefined {
  const parts = path.map((seg) => (typeof seg === 'number' ? '[]' : String(seg)));
  const join = (segs: string[]): string => segs.join('.').replace(/\.\[\]/g, '[]');
  return CONFIG_HINTS[join(parts)] ?? (parts.length > 0 ? CONFIG_HINTS[join([...parts.slice(0, -1), '*'])] : undefined);
}
