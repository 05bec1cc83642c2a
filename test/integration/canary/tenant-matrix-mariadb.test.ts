import { defineTenantMatrix } from './tenant-matrix-suite.js';

// One tenant on MariaDB: the most different from the defaults.
defineTenantMatrix('mysql', [{ bulkEnvelope: 'bare', bulkStateField: 'process_state', bulkOrder: 'shuffled', saltEncoding: 'text', totpImport: 'refuse' }]);
