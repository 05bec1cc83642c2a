import { defineSyncSuite } from './sync-suite.js';

defineSyncSuite('mysql', { users: 20_000 });
