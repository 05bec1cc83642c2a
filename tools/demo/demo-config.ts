import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PUBLICATION } from './demo-shop.js';

/** What {@link writeDemoConfig} needs to know. */
export interface DemoConfigOptions {
  /** Directory for the YAML file, the client secret file and the SQLite state store. */
  readonly dir: string;
  /** The shop database, as the sidecar's role. */
  readonly sourceUrl: string;
  /** The emulator's base URL. */
  readonly cidaasUrl: string;
  readonly clientId: string;
  /** Written to a file of its own (mode 600) and read through `${file:...}`: never into the YAML. */
  readonly clientSecret: string;
}

/** The written files. */
export interface DemoConfigFiles {
  /** The YAML configuration. */
  readonly path: string;
  /** The SQLite state store (created by the sidecar). */
  readonly statePath: string;
}

/**
 * Writes the demo's configuration: the shape of config/postgres.example.yaml for the shop
 * schema of demo-shop.ts, the emulator as the cidaas tenant, /metrics on a free port.
 */
export async function writeDemoConfig(o: DemoConfigOptions): Promise<DemoConfigFiles> {
  const secretPath = join(o.dir, 'cidaas-client-secret');
  await writeFile(secretPath, `${o.clientSecret}\n`, { mode: 0o600 });
  const statePath = join(o.dir, 'state.db');
  const yaml = `# cidaas-sync demo configuration (written by \`cidaas-sync demo\`; see config/postgres.example.yaml)
source:
  kind: postgres
  url: ${JSON.stringify(o.sourceUrl)}
  slot: cidaas_sync_demo
  publication: ${PUBLICATION}

users:
  table: public.users
  key: id
  softDelete: { column: deleted_at }
  fields:
    email: email
    email_verified: email_confirmed
    given_name: first_name
    family_name: last_name
    mobile_number: phone
    username: login
  customFields:
    customer_no: customer_number
  ignoreColumns: [last_login_at]

password:
  table: public.credentials
  userKey: user_id
  hash: password_hash
  algorithm: auto

mfa:
  table: public.totp_devices
  userKey: user_id
  secret: secret_base32
  encoding: base32
  enabled: confirmed

sub:
  prefix: "legacy-"

cidaas:
  baseUrl: ${JSON.stringify(o.cidaasUrl)}
  clientId: ${JSON.stringify(o.clientId)}
  clientSecret: \${file:${secretPath}}
  allowEmulator: true            # the demo's tenant is the emulator
  batchSize: 50
  concurrency: 4
  # The demo's tenant (the emulator) has no rate limit, and the demo knows it. For a real tenant,
  # set the limit cidaas support gives (or leave it unset: the pace then starts slow and finds it).
  maxCallsPerSecond: 200
  onDelete: purge

state:
  url: ${JSON.stringify(`sqlite:${statePath}`)}

http:
  host: 127.0.0.1
  port: 0
`;
  const path = join(o.dir, 'cidaas-sync.yaml');
  await writeFile(path, yaml);
  return { path, statePath };
}
