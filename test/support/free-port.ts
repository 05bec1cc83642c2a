// One implementation, shared with the demo: tools/throwaway/.
export { freePort } from '../../tools/throwaway/free-port.js';
