import { defineSurroundingsSuite } from './surroundings-suite.js';

defineSurroundingsSuite('postgres');
