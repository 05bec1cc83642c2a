/**
 * `npm run lint:supply-chain`: fails when the Dockerfile's base image is not pinned by digest
 * (set CIDAAS_SYNC_ALLOW_UNPINNED_BASE=1 to allow it for a local experiment) or when a
 * production dependency has no row in docs/security/dependencies.md.
 */
import { readFileSync } from 'node:fs';
import { productionDependencies, undocumentedDependencies, unpinnedBaseImages } from './supply-chain.js';

const problems: string[] = [];
if (process.env.CIDAAS_SYNC_ALLOW_UNPINNED_BASE !== '1') {
  for (const u of unpinnedBaseImages(readFileSync('Dockerfile', 'utf8'))) {
    problems.push(`Dockerfile line ${u.line}: FROM ${u.image} is not pinned by digest; pin it (image@sha256:<digest>, see the comment above ARG NODE_IMAGE) or set CIDAAS_SYNC_ALLOW_UNPINNED_BASE=1 for a local build`);
  }
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Parameters<typeof productionDependencies>[0];
for (const name of undocumentedDependencies(productionDependencies(pkg), readFileSync('docs/security/dependencies.md', 'utf8'))) {
  problems.push(`package.json: the production dependency ${name} has no row in docs/security/dependencies.md; review it (use, version, advisories, verdict) and add one`);
}
for (const p of problems) console.error(p);
process.exit(problems.length ? 1 : 0);
