import { defineKeyTypeSuite, MYSQL_KEY_TYPES } from './key-type-suite.js';

defineKeyTypeSuite('mysql', MYSQL_KEY_TYPES);
