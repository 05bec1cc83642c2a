import { defineRowFilterSuite } from './row-filter-suite.js';

defineRowFilterSuite('mysql');
