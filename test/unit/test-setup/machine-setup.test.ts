import { expect } from 'chai';
import { planMachineSetup } from '../../machine-setup.js';
import type { MachineRequirement } from '../../machine-setup.js';

describe('npm test on a fresh machine: its set-up (#18)', () => {
  const requirements: MachineRequirement[] = [
    { what: 'the MariaDB server', programs: ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'], aptPackages: ['mariadb-server', 'mariadb-client'] },
    { what: 'chromium', programs: ['/usr/bin/chromium'], aptPackages: ['chromium'] },
  ];
  const has = (...present: string[]) => (path: string): boolean => present.includes(path);

  it('does nothing when every program is there (any one of its names will do)', () => {
    const plan = planMachineSetup({ isRoot: true, hasAptGet: true, isExecutable: has('/usr/sbin/mysqld', '/usr/bin/chromium') }, requirements);
    expect(plan).to.deep.equal({ kind: 'ready' });
  });

  it('installs what is missing through apt-get when run as root', () => {
    const plan = planMachineSetup({ isRoot: true, hasAptGet: true, isExecutable: has('/usr/bin/chromium') }, requirements);
    expect(plan.kind).to.equal('install');
    expect(plan.kind === 'install' && plan.command).to.deep.equal(['apt-get', 'install', '-y', '-qq', 'mariadb-server', 'mariadb-client']);
  });

  it('prints the one command to run when it is not root', () => {
    const plan = planMachineSetup({ isRoot: false, hasAptGet: true, isExecutable: has() }, requirements);
    expect(plan.kind === 'ask' && plan.command).to.equal('sudo apt-get install -y mariadb-server mariadb-client chromium');
  });

  it('names the packages when there is no apt-get', () => {
    const plan = planMachineSetup({ isRoot: true, hasAptGet: false, isExecutable: has() }, requirements);
    expect(plan.kind === 'ask' && plan.command).to.equal("install mariadb-server mariadb-client chromium with the system's package manager");
  });
});
