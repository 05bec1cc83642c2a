import { defineTotpRemovalSuite } from './totp-removal-suite.js';

defineTotpRemovalSuite('postgres');
