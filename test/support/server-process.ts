// One implementation, shared with the demo: src/throwaway/.
export { logTail, runToCompletion, ServerProcess } from '../../src/throwaway/server-process.js';
export type { ProcessExit, ServerCommand } from '../../src/throwaway/server-process.js';
