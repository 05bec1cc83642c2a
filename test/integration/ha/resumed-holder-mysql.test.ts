import { defineResumedHolderSuite } from './resumed-holder-suite.js';

defineResumedHolderSuite('mysql');
