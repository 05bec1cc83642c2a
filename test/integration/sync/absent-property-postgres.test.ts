import { defineAbsentPropertySuite } from './absent-property-suite.js';

defineAbsentPropertySuite('postgres');
