// One implementation, shared with the demo: tools/throwaway/.
export { logTail, runToCompletion, ServerProcess } from '../../tools/throwaway/server-process.js';
export type { ProcessExit, ServerCommand } from '../../tools/throwaway/server-process.js';
