import { allTenants, defineTenantMatrix, pairwiseTenants } from './tenant-matrix-suite.js';

// Every pair of the tenant variants' values (docs/cidaas-api.md) in `npm test` (about 2 s a tenant); all 72 combinations with CIDAAS_SYNC_TENANT_MATRIX=full.
defineTenantMatrix('postgres', process.env['CIDAAS_SYNC_TENANT_MATRIX'] === 'full' ? allTenants() : pairwiseTenants());
