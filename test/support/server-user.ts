// One implementation, shared with the demo: src/throwaway/.
export { handOver, resolveServerUser, serverTempBase } from '../../src/throwaway/server-user.js';
export type { ServerUser } from '../../src/throwaway/server-user.js';
