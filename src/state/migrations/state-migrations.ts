import type { MigrationInterface } from 'typeorm';
import { CreateStateTables1764028800000 } from './1764028800000-create-state-tables.js';
import { AddFingerprintKey1796169600000 } from './1796169600000-add-fingerprint-key.js';

/**
 * The state store's migrations, oldest first. Append new ones; never edit one that shipped.
 * Each must run on SQLite, PostgreSQL and MySQL/MariaDB: use typeorm's Table API (or branch on
 * the driver), never `synchronize`.
 */
export const stateMigrations: (new () => MigrationInterface)[] = [CreateStateTables1764028800000, AddFingerprintKey1796169600000];
