import { randomUUID } from 'node:crypto';

/**
 * The response bodies of docs/cidaas-api.md "Envelopes": success, service error, access
 * denied (401) and the RFC 6749 token errors.
 */

/** An answer the request handler writes: status, JSON body, extra headers. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** `<epoch-ms>-<uuid>`, as cidaas tags every error. */
export function referenceNumber(): string {
  return `${Date.now()}-${randomUUID()}`;
}

/** `{"success": true, "status": N, "data": ...}` plus any extra top-level fields (search's `total`). */
export function success(status: number, data: unknown, extra: Record<string, unknown> = {}): Reply {
  return { status, body: { success: true, status, data, ...extra } };
}

/**
 * The service-error envelope. The `error.code` numbers are the emulator's own (cidaas
 * documents none): stable per situation so tests can tell them apart.
 */
export const ErrorCodes = {
  invalidRequest: 400,
  authorization: 403,
  userNotFound: 404,
  notFound: 4040,
  tooManyUsers: 413,
  users: 507,
  rateLimited: 429,
  fault: 500,
} as const;

/** A service error: HTTP status, `status` and `error.status` are equal. */
export function serviceError(status: number, type: string, message: string, code: number, headers?: Record<string, string>): Reply {
  return {
    status,
    body: {
      success: false,
      status,
      error: { code, moreInfo: '', type, status, referenceNumber: referenceNumber(), error: message },
    },
    ...(headers ? { headers } : {}),
  };
}

/** 401 for a missing, bad or expired token. */
export function accessDenied(): Reply {
  return { status: 401, body: { error: 'Access denied for this resource', refnumber: referenceNumber() } };
}

/** The RFC 6749 section 5.2 error codes the token endpoint answers with. */
export type OAuthErrorCode = 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_request';

/** An RFC 6749 token error (400, or 401 for invalid_client). */
export function oauthError(error: OAuthErrorCode, description: string): Reply {
  return {
    status: error === 'invalid_client' ? 401 : 400,
    body: { error, error_description: description },
    headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
  };
}

/** The exception `type` a service error of this status carries when a fault rule forces it. */
export function exceptionTypeFor(status: number): string {
  if (status === 429) return 'TooManyRequestsException';
  if (status === 413) return 'PayloadTooLargeException';
  if (status === 417) return 'UsersException';
  if (status >= 500) return 'InternalServerException';
  return 'BadRequestException';
}
