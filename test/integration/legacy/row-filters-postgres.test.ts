import { defineRowFilterSuite } from './row-filter-suite.js';

defineRowFilterSuite('postgres');
