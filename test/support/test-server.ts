// One implementation, shared with the demo: src/throwaway/throwaway-server.ts. The
// registry (server-registry.ts) takes it as a ManagedServer.
export { ThrowawayServer as TestServer } from '../../src/throwaway/throwaway-server.js';
