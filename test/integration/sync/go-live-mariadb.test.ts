import { defineGoLiveSuite } from './go-live-suite.js';

defineGoLiveSuite('mysql');
