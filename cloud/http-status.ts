/** @module The HTTP status the cloud answers each error code with: the catalogue's codes know nothing of HTTP. */
import type { ErrorCode } from '../base/errors.ts';

/** docs/errors.md lists each code with this status; a test keeps the two in step. */
export const httpStatus = {
  INVALID_APP: 422,
  FUNCTION_NOT_FOUND: 404,
  INVALID_REQUEST: 400,
  REQUEST_TOO_LARGE: 413,
  REQUEST_UNREADABLE: 403,
  NOT_AN_APP: 404,
  INVALID_INPUT: 400,
  INVALID_OUTPUT: 502,
  FUNCTION_LOAD_FAILED: 502,
  FUNCTION_THREW: 502,
  TIMEOUT: 504,
  OUT_OF_MEMORY: 502,
  CALL_DEPTH_EXCEEDED: 508,
  DEPENDENCY_INSTALL_FAILED: 424,
  DEPENDENCY_NOT_ALLOWED: 422,
  BUSY: 429,
  START_TIMEOUT: 503,
  SANDBOX_FAILED: 502,
  ENGINE_UNAVAILABLE: 503,
  EGRESS_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
  INVALID_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  INVALID_CREDENTIALS: 401,
  WEAK_PASSWORD: 400,
  EMAIL_TAKEN: 409,
  RATE_LIMITED: 429,
  RESET_TOKEN_INVALID: 400,
  NOT_FOUND: 404,
  APP_NOT_FOUND: 404,
  APP_NAME_TAKEN: 409,
  ENDPOINT_NOT_FOUND: 404,
  ENDPOINT_TAKEN: 409,
  SECRET_NOT_FOUND: 404,
  APP_STOPPED: 503,
  QUOTA_EXCEEDED: 409,
  FILE_NOT_FOUND: 404,
  CLOUD_UNREACHABLE: 502,
  STORAGE_FULL: 507,
  EXECUTOR_CLOSED: 503,
} as const satisfies Record<ErrorCode, number>;

export function httpStatusOf(code: ErrorCode): number {
  return httpStatus[code];
}
