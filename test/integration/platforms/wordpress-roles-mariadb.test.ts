import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { DEFAULT_SCOPES, SETUP_SCOPES, startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { createScratchDb, type ScratchDb } from '../legacy/key-type-db.js';
import { startSidecar, type SidecarProcess } from '../../support/sidecar-process.js';
import { waitFor } from '../../support/wait-for.js';
import { described, jsonOf, runCli } from '../cli/cli-run.js';
import { CLIENT_ID, CLIENT_SECRET, closePlatformRun, writePlatformConfig, type PlatformConfig } from './platform-fixture.js';
import { wordpressDdl } from './platform-schemas.js';

/**
 * `<prefix>capabilities` as WP_User writes it (wp-includes/class-wp-user.php: set_role, add_role,
 * update_user_meta($this->ID, $this->cap_key, $this->caps), which serialize()s the array) and
 * `<prefix>user_level`, which update_user_level_from_caps() writes alongside.
 */
function caps(...roles: string[]): string {
  return `a:${roles.length}:{${roles.map((r) => `s:${Buffer.byteLength(r)}:"${r}";b:1;`).join('')}}`;
}
const LEVEL: Record<string, number> = { administrator: 10, editor: 7, author: 2, subscriber: 0 };

interface CheckItem { name: string; ok: boolean; severity: string; detail: string }
interface DlqJson { deadLetters: { key: string; reason: string }[] }
interface VerifyJson { differing: { key: string; groups: string[] }[] }

describe('WordPress roles as cidaas groups on MariaDB (preset wordpress, roles: true)', function () {
  this.timeout(240_000);
  let db: ScratchDb;
  let emu: RunningEmulator;
  let config: PlatformConfig;
  let sidecar: SidecarProcess;
  const sub = (key: string): string => `legacy-${key}`;
  const groupsOf = (key: string): string | undefined => emu.getUser(sub(key))?.groups?.map((g) => g.groupId).join();
  const streaming = (p: SidecarProcess): Promise<unknown> => p.waitForLine((l) => l.message === 'streaming' && l.component === 'runner', 120_000);

  /** wp_insert_user(): the user row, its names, then set_role() (which writes capabilities and user_level). */
  async function addUser(login: string, capabilities: string): Promise<string> {
    await db.exec(`INSERT INTO wp_users (user_login, user_pass, user_nicename, user_email, user_url, user_registered, display_name)
      VALUES (?, '', ?, ?, '', NOW(), ?)`, [login, login, `${login}@example.com`, login]);
    const id = String((await db.exec('SELECT ID FROM wp_users WHERE user_login = ?', [login]))[0]!['ID']);
    await db.exec("INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES (?, 'first_name', ?), (?, 'last_name', ''), (?, 'wp_capabilities', ?), (?, 'wp_user_level', '0')",
      [id, login, id, id, capabilities, id]);
    return id;
  }
  /** WP_User::set_role($role) ('' for none): the whole serialized array is written again, then user_level. */
  async function setRole(key: string, role: string): Promise<void> {
    await db.exec("UPDATE wp_usermeta SET meta_value = ? WHERE user_id = ? AND meta_key = 'wp_capabilities'", [role === '' ? caps() : caps(role), key]);
    await db.exec("UPDATE wp_usermeta SET meta_value = ? WHERE user_id = ? AND meta_key = 'wp_user_level'", [String(LEVEL[role] ?? 0), key]);
  }

  before(async () => {
    db = await createScratchDb('mysql', 'wproles');
    for (const s of wordpressDdl()) await db.exec(s);
    emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes: [...DEFAULT_SCOPES, ...SETUP_SCOPES] });
    // The tenant has a group per role (as `setup apply` of tenant.groups leaves them).
    for (const g of ['administrator', 'editor', 'author', 'subscriber']) emu.setup.groups.set(g, { groupId: g, groupName: g, groupType: 'wordpress' });
    config = await writePlatformConfig({ kind: 'mysql', url: db.url, emulatorUrl: emu.url, body: { preset: { name: 'wordpress', roles: true } } });
  });
  after(() => closePlatformRun({ emu, sql: undefined, db, config }));

  it('backfills roles, multi-role and role-less users, dead-letters an unknown shape until repaired, follows set_role across a kill -9, and verify compares them', async () => {
    const ann = await addUser('ann', caps('administrator'));
    const ben = await addUser('ben', caps('editor', 'author')); // add_role('author') on an editor
    const cat = await addUser('cat', caps('subscriber'));
    const dan = await addUser('dan', caps()); // "No role for this site"
    // A list where WordPress writes a map (a migration script's doing): never guessed.
    const eve = await addUser('eve', 'a:1:{i:0;s:13:"administrator";}');

    // check asks the tenant about each role the decoded values name, and not about eve's value.
    const check = jsonOf<{ sections: { items: CheckItem[] }[] }>(await runCli(['check', '--config', config.path, '--json'], { timeoutMs: 90_000 }));
    const groupItems = check.sections.flatMap((s) => s.items).filter((i) => i.name.startsWith('group '));
    expect(groupItems.map((i) => [i.name, i.ok])).to.deep.equal([['group administrator', true], ['group author', true], ['group editor', true], ['group subscriber', true]]);
    // ... and warns before the run that eve's value is no map of roles.
    const decode = check.sections.flatMap((s) => s.items).find((i) => i.name === 'groups decode');
    expect(decode, JSON.stringify(check.sections)).to.include({ ok: false, severity: 'warning' });
    expect(decode!.detail).to.contain('1 distinct value of wp_usermeta.meta_value cannot be read as groups').and.contain('"0" maps to "administrator"');

    sidecar = startSidecar({ args: ['run', '--config', config.path] });
    await streaming(sidecar);
    expect((await sidecar.waitForLine((l) => l.message.startsWith('backfill done:'))).message).to.equal('backfill done: 5 users, 1 dead letter (`cidaas-sync dlq list`)');
    await waitFor(() => [ann, ben, cat, dan].every((k) => emu.getUser(sub(k)) !== undefined), { timeoutMs: 60_000, message: 'not every WordPress user reached cidaas' });
    expect([groupsOf(ann), groupsOf(ben), groupsOf(cat), groupsOf(dan)]).to.deep.equal(['administrator', 'author,editor', 'subscriber', '']);
    expect(emu.getUser(sub(eve))).to.equal(undefined);

    // An administrator demotes cat to editor (user-edit.php: set_role).
    await setRole(cat, 'editor');
    await waitFor(() => groupsOf(cat) === 'editor', { timeoutMs: 60_000, message: () => `cat's new role did not reach cidaas: ${String(groupsOf(cat))}` });
    // ann loses every role while the sidecar dies; after the restart, ben is made an author only.
    await setRole(ann, '');
    await sidecar.kill9();
    sidecar = startSidecar({ args: ['run', '--config', config.path] });
    await streaming(sidecar);
    await setRole(ben, 'author');
    await waitFor(() => groupsOf(ann) === '' && groupsOf(ben) === 'author',
      { timeoutMs: 60_000, message: () => `the role changes did not reach cidaas: ann ${String(groupsOf(ann))}, ben ${String(groupsOf(ben))}` });

    const dlq = jsonOf<DlqJson>(await runCli(['dlq', 'list', '--json', '--config', config.path], { timeoutMs: 60_000 }));
    expect(dlq.deadLetters.map((d) => d.key)).to.deep.equal([eve]);
    expect(dlq.deadLetters[0]!.reason).to.contain('users.groups.decode: php-serialized-map').and.contain('"0" maps to "administrator"');
    // The site owner repairs eve's capabilities as WordPress writes them: she lands with the role.
    await setRole(eve, 'administrator');
    await waitFor(() => groupsOf(eve) === 'administrator', { timeoutMs: 60_000, message: () => `eve's repaired role did not reach cidaas: ${String(groupsOf(eve))}` });
    expect((await sidecar.terminate()).code).to.equal(0);

    // verify: equal now; a role changed while nothing syncs is a `groups` difference of that user.
    const clean = await runCli(['verify', '--config', config.path, '--no-progress', '--report', join(config.dir, 'clean.json')], { timeoutMs: 90_000 });
    expect(clean.code, described(clean)).to.equal(0);
    await setRole(dan, 'subscriber');
    const report = join(config.dir, 'differs.json');
    const differs = await runCli(['verify', '--config', config.path, '--no-progress', '--report', report], { timeoutMs: 90_000 });
    expect(differs.code, described(differs)).to.equal(4);
    expect((JSON.parse(await readFile(report, 'utf8')) as VerifyJson).differing).to.deep.equal([{ key: dan, sub: sub(dan), groups: ['groups'] }]);
  });
});
