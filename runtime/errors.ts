/** @module The error catalogue: every failure a user can see has a stable code, a message and an HTTP status. */

/** Every error code edgecourier reports. docs/errors.md documents each one; a test keeps the two in step. */
export const errorCatalogue = {
  INVALID_APP: { status: 422, summary: 'The app folder or its app.json is not valid.' },
  FUNCTION_NOT_FOUND: { status: 404, summary: 'The app has no function of that name.' },
  INVALID_REQUEST: { status: 400, summary: 'A request file is not valid JSON or not of the request shape.' },
  REQUEST_TOO_LARGE: { status: 413, summary: 'A request is larger than the size limit.' },
  REQUEST_UNREADABLE: { status: 403, summary: 'A request file stayed unreadable to the courier (its permissions, or an I/O error).' },
  NOT_AN_APP: { status: 404, summary: 'A request was dropped into a folder that is not an app (it has no functions/ folder).' },
  INVALID_INPUT: { status: 400, summary: 'The input, cache or precomputed results are not valid JSON values of the expected shape.' },
  INVALID_OUTPUT: { status: 502, summary: 'The function returned something that is not JSON-serialisable, or too large.' },
  FUNCTION_LOAD_FAILED: { status: 502, summary: 'The function file could not be loaded: a syntax error, a missing import or no default export.' },
  FUNCTION_THREW: { status: 502, summary: 'The function threw an error or returned a rejected promise.' },
  TIMEOUT: { status: 504, summary: 'The function ran longer than its time limit and was stopped.' },
  OUT_OF_MEMORY: { status: 502, summary: 'The function used more memory than its limit and was stopped.' },
  CALL_DEPTH_EXCEEDED: { status: 508, summary: 'Nested ctx.call went deeper than the limit, usually a recursion loop.' },
  DEPENDENCY_INSTALL_FAILED: { status: 424, summary: 'npm could not install the dependencies in package.json.' },
  DEPENDENCY_NOT_ALLOWED: { status: 422, summary: 'A cloud app\'s package.json names something other than a registry package (a URL, git, GitHub or a path).' },
  BUSY: { status: 429, summary: 'The caller\'s share of sandboxes is in use and its waiting line is full; try again shortly.', platform: true },
  START_TIMEOUT: { status: 503, summary: 'The function could not be started in time (sandbox, worker or module import); its own time had not begun.', platform: true },
  SANDBOX_FAILED: { status: 502, summary: 'The container or process running the function ended unexpectedly.', platform: true },
  ENGINE_UNAVAILABLE: { status: 503, summary: 'No Docker engine answers and none could be started.', platform: true },
  INTERNAL_ERROR: { status: 500, summary: 'edgecourier hit an unexpected error; the operator log has the details.', platform: true },
  INVALID_JSON: { status: 400, summary: 'The request body is not valid JSON.' },
  PAYLOAD_TOO_LARGE: { status: 413, summary: 'The request body is larger than the limit.' },
  UNAUTHORIZED: { status: 401, summary: 'The route needs a valid session or API token.' },
  FORBIDDEN: { status: 403, summary: 'The route is for operators only.' },
  INVALID_CREDENTIALS: { status: 401, summary: 'The email address or password is wrong.' },
  WEAK_PASSWORD: { status: 400, summary: 'The password is too easy to guess.' },
  EMAIL_TAKEN: { status: 409, summary: 'An account with that email address exists.' },
  RATE_LIMITED: { status: 429, summary: 'Too many attempts; wait a minute.' },
  RESET_TOKEN_INVALID: { status: 400, summary: 'The password-reset link is unknown, used or expired.' },
  NOT_FOUND: { status: 404, summary: 'No such route or thing.' },
  APP_NOT_FOUND: { status: 404, summary: 'No app of that id belongs to you.' },
  APP_NAME_TAKEN: { status: 409, summary: 'You already have an app of that name.' },
  ENDPOINT_NOT_FOUND: { status: 404, summary: 'The app has no endpoint for that method and path.' },
  ENDPOINT_TAKEN: { status: 409, summary: 'The app already has an endpoint for that method and path.' },
  APP_STOPPED: { status: 503, summary: 'The app is stopped; its owner must start it.' },
  QUOTA_EXCEEDED: { status: 409, summary: 'The account already has as many apps, API tokens or roots, or the app as many functions or endpoints, as it may.' },
  CLOUD_UNREACHABLE: { status: 502, summary: '(CLI) The cloud service does not answer at the configured URL.' },
  STORAGE_FULL: { status: 507, summary: 'The cloud\'s database reached its size limit; the change was not saved.', platform: true },
  EXECUTOR_CLOSED: { status: 503, summary: 'The executor is shutting down and takes no new calls.', platform: true },
} as const satisfies Record<string, { status: number; summary: string; platform?: true }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** The error shape that crosses every boundary: protocol messages, result files, HTTP bodies. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

/**
 * The one error class of edgecourier: a stable code, a message for a person and an optional cause.
 * @example throw new EdgeError('FUNCTION_NOT_FOUND', 'app "shop" has no function "pay"')
 */
export class EdgeError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EdgeError';
    this.code = code;
  }

  get status(): number {
    return errorCatalogue[this.code].status;
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message };
  }
}

/**
 * True for failures of the platform rather than of the function or its input: nothing the function did
 * caused them, so trying again later can succeed. The courier retries these; the cloud answers them
 * with `Retry-After`.
 */
export function isPlatformError(code: ErrorCode): boolean {
  return 'platform' in errorCatalogue[code];
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCatalogue, value);
}
