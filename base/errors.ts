/** @module The error catalogue: every failure a user can see has a stable code and a message; how each travels (HTTP status, exit code) is the business of the layer that sends it. */

/** Every error code edgecourier reports. docs/errors.md documents each one; a test keeps the two in step. */
export const errorCatalogue = {
  INVALID_APP: { summary: 'The app folder, its app.json or its secrets file is not valid.' },
  FUNCTION_NOT_FOUND: { summary: 'The app has no function of that name.' },
  INVALID_REQUEST: { summary: 'A request file is not valid JSON or not of the request shape.' },
  REQUEST_TOO_LARGE: { summary: 'A request is larger than the size limit.' },
  REQUEST_UNREADABLE: { summary: 'A request file stayed unreadable to the courier (its permissions, or an I/O error).' },
  NOT_AN_APP: { summary: 'A request was dropped into a folder that is not an app (it has no functions/ folder).' },
  INVALID_INPUT: { summary: 'The input, cache or precomputed results are not valid JSON values of the expected shape.' },
  INVALID_OUTPUT: { summary: 'The function returned something that is not JSON-serialisable, or too large.' },
  FUNCTION_LOAD_FAILED: { summary: 'The function file could not be loaded: a syntax error, a missing import or no entry point.' },
  FUNCTION_THREW: { summary: 'The function threw an error or returned a rejected promise.' },
  TIMEOUT: { summary: 'The function ran longer than its time limit and was stopped.' },
  OUT_OF_MEMORY: { summary: 'The function used more memory than its limit and was stopped.' },
  CALL_DEPTH_EXCEEDED: { summary: 'Nested ctx.call went deeper than the limit, usually a recursion loop.' },
  DEPENDENCY_INSTALL_FAILED: { summary: 'npm could not install the dependencies in package.json.' },
  DEPENDENCY_NOT_ALLOWED: { summary: "A cloud app's package.json names something other than a registry package (a URL, git, GitHub or a path)." },
  BUSY: { summary: "The caller's share of sandboxes is in use and its waiting line is full; try again shortly.", platform: true },
  START_TIMEOUT: { summary: 'The function could not be started in time (sandbox, worker or module import); its own time had not begun.', platform: true },
  SANDBOX_FAILED: { summary: 'The container or process running the function ended unexpectedly.', platform: true },
  ENGINE_UNAVAILABLE: { summary: 'No Docker engine answers and none could be started.', platform: true },
  EGRESS_UNAVAILABLE: { summary: 'The app declares network egress, which this executor cannot hold in (no iptables, or not root on the Docker host).' },
  INTERNAL_ERROR: { summary: 'edgecourier hit an unexpected error; the operator log has the details.', platform: true },
  INVALID_JSON: { summary: 'The request body is not valid JSON.' },
  PAYLOAD_TOO_LARGE: { summary: 'The request body is larger than the limit.' },
  UNAUTHORIZED: { summary: 'The route needs a valid session or API token.' },
  CSRF_TOKEN_INVALID: {
    summary: 'A state-changing request authenticated by the session cookie came without the matching X-CSRF-Token header.',
  },
  FORBIDDEN: { summary: "The route is for operators only, or the caller's access to the app does not allow this." },
  INVALID_CREDENTIALS: { summary: 'The email address or password is wrong.' },
  WEAK_PASSWORD: { summary: 'The password is too easy to guess.' },
  EMAIL_TAKEN: { summary: 'An account with that email address exists.' },
  RATE_LIMITED: { summary: 'Too many attempts; wait a minute.' },
  RESET_TOKEN_INVALID: { summary: 'The password-reset link is unknown, used or expired.' },
  NOT_FOUND: { summary: 'No such route or thing.' },
  APP_NOT_FOUND: { summary: 'No app of that id is yours or shared with you.' },
  APP_NAME_TAKEN: { summary: 'You already have an app of that name.' },
  ENDPOINT_NOT_FOUND: { summary: 'The app has no endpoint for that method and path.' },
  ENDPOINT_TAKEN: { summary: 'The app already has an endpoint for that method and path.' },
  SECRET_NOT_FOUND: { summary: 'The app has no secret of that name.' },
  GRANT_NOT_FOUND: { summary: 'The app grants nothing to that account, or to everyone.' },
  USER_NOT_FOUND: { summary: 'No account has that email address.' },
  APP_STOPPED: { summary: 'The app is stopped; its owner must start it.' },
  QUOTA_EXCEEDED: {
    summary:
      'The account already has as many apps, API tokens or roots, or the app as many functions, endpoints, grants, secrets, files or bytes of files, as it may.',
  },
  FILE_NOT_FOUND: { summary: 'The app has no file at that path.' },
  ACTIVATION_NOT_FOUND: { summary: 'No activation of that id is recorded for an app of yours.' },
  VERSION_NOT_FOUND: { summary: 'The app has no version of that id or tag.' },
  VERSION_FROZEN: { summary: 'The version is frozen: it cannot be deleted until it is unfrozen.' },
  VERSION_ACTIVE: { summary: "The version is the app's active one, which is never deleted." },
  TAG_TAKEN: { summary: 'Another version of the app has that tag, or the version has another tag already.' },
  APP_FROM_FOLDER: { summary: "The app comes from a synced folder: only the folder changes its content, or a folder app's name is another app's." },
  ROOT_NOT_HELD: { summary: 'The courier holds no lease on that root now: another courier serves it, or it was deleted.' },
  CLOUD_UNREACHABLE: { summary: '(CLI) The cloud service does not answer at the configured URL.' },
  STORAGE_FULL: { summary: "The cloud's database reached its size limit; the change was not saved.", platform: true },
  EXECUTOR_CLOSED: { summary: 'The executor is shutting down and takes no new calls.', platform: true },
} as const satisfies Record<string, { summary: string; platform?: true }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** The error shape that crosses every boundary: protocol messages, result files, HTTP bodies. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** FUNCTION_THREW only: the `code` of the error the function threw, e.g. "NOT_FOUND_ITEM" (runtime/function-error.ts). */
  functionCode?: string;
  /** FUNCTION_THREW only: the `statusCode` (or `status`) of the error the function threw, 400–599; endpoints answer with it. */
  statusCode?: number;
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
