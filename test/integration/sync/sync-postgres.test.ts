import { defineSyncSuite } from './sync-suite.js';

defineSyncSuite('postgres', { users: 20_000 });
