import { defineHaChaosSuite } from './ha-chaos-suite.js';

// HA_CHAOS_ROUNDS=n for n rounds (default 2) of kill, pause and term.
defineHaChaosSuite('postgres', Array.from({ length: Number(process.env['HA_CHAOS_ROUNDS'] ?? 2) }, () => ['kill', 'pause', 'term'] as const).flat());
