import { chaosSeed, defineChaosSuite } from './chaos-suite.js';

defineChaosSuite('mysql', { seed: chaosSeed(), durationMs: 45_000, kills: 6 });
