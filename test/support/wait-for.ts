/**
 * The one way tests wait for something that has no event to await: poll a condition. The same
 * implementation the product uses to wait for a starting server.
 */
export { pollUntil as waitFor, type PollOptions as WaitForOptions } from '../../tools/throwaway/poll-until.js';
