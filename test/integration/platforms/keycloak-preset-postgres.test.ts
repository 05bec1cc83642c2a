import { keycloakPresetCase } from './keycloak-preset-case.js';
import { presetSuite } from './preset-suite.js';

presetSuite(keycloakPresetCase('postgres', 'preset: keycloak (one realm of two) on PostgreSQL (#11)'));
