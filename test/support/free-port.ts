// One implementation, shared with the demo: src/throwaway/.
export { freePort } from '../../src/throwaway/free-port.js';
