// One implementation, shared with the demo: tools/throwaway/.
export { handOver, resolveServerUser, serverTempBase } from '../../tools/throwaway/server-user.js';
export type { ServerUser } from '../../tools/throwaway/server-user.js';
