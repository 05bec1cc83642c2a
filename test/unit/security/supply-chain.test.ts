import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { productionDependencies, undocumentedDependencies, unpinnedBaseImages } from '../../lint/supply-chain.js';

const DIGEST = 'sha256:' + 'ab'.repeat(32);

describe('supply chain: a pinned base image and a reviewed dependency tree (#13)', () => {
  it('pins the Dockerfile base image by digest, through its NODE_IMAGE argument', () => {
    expect(unpinnedBaseImages(readFileSync('Dockerfile', 'utf8'))).to.deep.equal([]);
  });

  it('refuses a FROM without a digest, directly or through an ARG, and accepts earlier stages and scratch', () => {
    const dockerfile = [
      'ARG BASE=node:24-bookworm-slim',
      'ARG PINNED=node:24-bookworm-slim@' + DIGEST,
      'ARG EMPTY',
      'FROM ${BASE} AS build',
      'FROM $PINNED AS ok',
      'FROM node:24 \\',
      '  AS split',
      'FROM ${EMPTY} AS missing',
      'FROM build AS again',
      'FROM scratch',
      'FROM --platform=linux/amd64 debian:bookworm@' + DIGEST,
    ].join('\n');
    expect(unpinnedBaseImages(dockerfile)).to.deep.equal([
      { line: 4, image: 'node:24-bookworm-slim' },
      { line: 6, image: 'node:24' },
      { line: 8, image: '${EMPTY}' },
    ]);
  });

  it('has a review row for every production dependency of package.json', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Parameters<typeof productionDependencies>[0];
    const names = productionDependencies(pkg);
    expect(names).to.include.members(['mysql2', 'pg', 'typeorm', 'undici']);
    expect(undocumentedDependencies(names, readFileSync('docs/security/dependencies.md', 'utf8'))).to.deep.equal([]);
  });

  it('names a production dependency added without a review row, optional ones included', () => {
    const review = '| Package | Installed |\n|---|---|\n| `pg` | 8 |\n';
    const names = productionDependencies({ dependencies: { pg: '^8', leftpad: '^1' }, optionalDependencies: { fsevents: '^2' } });
    expect(undocumentedDependencies(names, review)).to.deep.equal(['fsevents', 'leftpad']);
  });
});
