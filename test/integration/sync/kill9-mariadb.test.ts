import { defineKill9Suite } from './kill9-suite.js';

defineKill9Suite('mysql', { users: 10_000, kills: 3 });
