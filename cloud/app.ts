/** @module The cloud's request handler: endpoint calls first, then the Express app, every route group mounted in one list (which /openapi.json describes), the web console, then the one error boundary. */
import type { RequestListener } from 'node:http';
import express, { type Express } from 'express';
import { identifyCaller } from './auth.ts';
import { builtConsoleDir, consoleSite } from './console-site.ts';
import type { CloudDeps } from './deps.ts';
import { errorBoundary, rejectDeepBodies, routeNotFound } from './http.ts';
import { openApiDocument } from './openapi.ts';
import { routerOf, type RouteGroup } from './route.ts';
import { accountRoutes } from './routes/accounts.ts';
import { activationRoutes } from './routes/activations.ts';
import { appRoutes } from './routes/apps.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { codeRoutes } from './routes/code.ts';
import { deployRoutes } from './routes/deploys.ts';
import { endpointRoutes } from './routes/endpoints.ts';
import { fileRoutes } from './routes/files.ts';
import { fleetAppRoutes } from './routes/fleet-apps.ts';
import { fleetRoutes } from './routes/fleet.ts';
import { functionRoutes } from './routes/functions.ts';
import { grantRoutes } from './routes/grants.ts';
import { healthRoutes } from './routes/health.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { passwordResetRoutes } from './routes/password-resets.ts';
import { profileRoutes } from './routes/profiles.ts';
import { rootRoutes } from './routes/roots.ts';
import { runHandler } from './routes/run.ts';
import { scheduleRoutes } from './routes/schedules.ts';
import { secretRoutes } from './routes/secrets.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { versionRoutes } from './routes/versions.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface CloudHandlerOptions {
  /**
   * Express's `trust proxy`: a number of hops, or the proxies' addresses and subnets ("loopback", "10.0.0.0/8").
   * Only then are X-Forwarded-For and X-Forwarded-Proto believed, for the client's IP (rate limits) and HTTPS (Secure cookies).
   */
  trustProxy?: number | string;
  /** The web console's compiled files; dist/console by default. */
  consoleDir?: string;
}

export interface CloudHandler {
  /** Every request of the cloud: endpoint calls on the lean /run handler, everything else on `app`. */
  listener: RequestListener;
  /** The Express app: its routes are the ones /openapi.json lists, and a test reads them to check so. */
  app: Express;
}

export function createCloudHandler(deps: CloudDeps, options: CloudHandlerOptions = {}): CloudHandler {
  const run = runHandler(deps, deps.logger, MAX_BODY_BYTES);
  const app = createCloudApp(deps, options);
  return {
    listener: (req, res) => {
      if (!run(req, res)) void app(req, res);
    },
    app,
  };
}

function createCloudApp(deps: CloudDeps, options: CloudHandlerOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  if (options.trustProxy !== undefined) app.set('trust proxy', options.trustProxy);
  // Answers are per request and mostly to POSTs: hashing each body for an ETag would only cost time.
  app.set('etag', false);
  app.use(identifyCaller(deps.sessions));
  const groups: RouteGroup[] = [
    ['/api/v1', accountRoutes(deps)],
    ['/api/v1', tokenRoutes(deps)],
    ['/api/v1', passwordResetRoutes(deps)],
    ['/api/v1/apps', appRoutes(deps)],
    ['/api/v1/apps', functionRoutes(deps)],
    ['/api/v1/apps', endpointRoutes(deps)],
    ['/api/v1/apps', secretRoutes(deps)],
    ['/api/v1/apps', grantRoutes(deps)],
    ['/api/v1/apps', codeRoutes(deps)],
    ['/api/v1/apps', fileRoutes(deps)],
    ['/api/v1/apps', versionRoutes(deps)],
    ['/api/v1/apps', scheduleRoutes(deps)],
    ['/api/v1', deployRoutes(deps)],
    ['/api/v1', catalogRoutes(deps)],
    ['/api/v1', activationRoutes(deps)],
    ['/api/v1', profileRoutes(deps)],
    ['/api/v1/roots', rootRoutes(deps)],
    ['/api/v1/fleet', fleetRoutes(deps)],
    ['/api/v1/fleet', fleetAppRoutes(deps)],
    ['/', healthRoutes(deps)],
    ['/', openApiRoutes(() => openApiDocument(groups, deps.publicUrl))],
  ];
  // Routes taking a file's bytes read their body themselves, whatever its media type: they come before the JSON parser.
  for (const [prefix, routes] of groups) if (routes.some((spec) => spec.raw)) app.use(prefix, routerOf(routes.filter((spec) => spec.raw)));
  // Compressed bodies are refused, as on /run: inflating is work and memory spent before the size limit can look.
  app.use(express.json({ limit: MAX_BODY_BYTES, strict: false, inflate: false }));
  app.use(rejectDeepBodies);
  for (const [prefix, routes] of groups) app.use(prefix, routerOf(routes.filter((spec) => !spec.raw)));
  // Last of all: the console's pages are what no route of the API is.
  app.use(consoleSite(options.consoleDir ?? builtConsoleDir));
  app.use(routeNotFound);
  app.use(errorBoundary(deps.logger));
  return app;
}
