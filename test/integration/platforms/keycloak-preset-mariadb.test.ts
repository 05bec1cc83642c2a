import { keycloakPresetCase } from './keycloak-preset-case.js';
import { presetSuite } from './preset-suite.js';

// Liquibase's upper-case tables (USER_ENTITY, CREDENTIAL, ...), which MariaDB on Linux tells from user_entity.
presetSuite(keycloakPresetCase('mysql', 'preset: keycloak (one realm of two) on MariaDB, Keycloak\'s upper-case tables'));
