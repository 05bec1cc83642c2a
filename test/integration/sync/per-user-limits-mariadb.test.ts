import { definePerUserLimitsSuite } from './per-user-limits-suite.js';

definePerUserLimitsSuite('mysql');
