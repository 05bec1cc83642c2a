// One implementation, shared with the demo: tools/throwaway/throwaway-server.ts. The
// registry (server-registry.ts) takes it as a ManagedServer.
export { ThrowawayServer as TestServer } from '../../tools/throwaway/throwaway-server.js';
