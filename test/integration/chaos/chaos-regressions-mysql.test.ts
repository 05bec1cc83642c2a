import { defineChaosRegressions } from './chaos-regressions-suite.js';

defineChaosRegressions('mysql');
