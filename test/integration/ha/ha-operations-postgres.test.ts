import { defineHaOperationsSuite } from './ha-operations-suite.js';

defineHaOperationsSuite('postgres');
