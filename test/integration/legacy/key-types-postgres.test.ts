import { defineKeyTypeSuite, POSTGRES_KEY_TYPES } from './key-type-suite.js';

defineKeyTypeSuite('postgres', POSTGRES_KEY_TYPES);
