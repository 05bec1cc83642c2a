import { defineReadAheadSuite } from './read-ahead-suite.js';

defineReadAheadSuite('postgres');
