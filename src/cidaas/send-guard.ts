import type { Dispatcher } from 'undici';

/**
 * An undici interceptor that runs `check` at the moment a request is about to be written to its
 * connection: after any wait for a free connection or for a new one to connect, in the same tick as
 * the write. A throw aborts the request unsent, and the call fails with what was thrown.
 *
 * With high availability the check is "this replica still holds the lease". A check when the call
 * is prepared is not enough: a process paused (SIGSTOP, a GC pause, a frozen VM) between preparing
 * and writing would send, once resumed, a push read before the pause, after the next holder's push
 * of a newer value; cidaas applies what comes last.
 */
export function sendGuard(check: () => void): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => dispatch(opts, {
    onRequestStart(controller, context): void {
      try {
        check();
      } catch (err) {
        controller.abort(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      handler.onRequestStart?.(controller, context);
    },
    onRequestUpgrade: (controller, statusCode, headers, socket) => handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
    onResponseStart: (controller, statusCode, headers, statusMessage) => handler.onResponseStart?.(controller, statusCode, headers, statusMessage),
    onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
    onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
    onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
  });
}
