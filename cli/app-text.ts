/** @module How cloud apps and their versions read for a person, shared by the commands that print them (apps, deploy, versions, rollback, freeze). */

/** A version as the cloud lists it; a version read alone has its dependencies in full, with npm's log. */
export interface VersionSummary {
  id: string;
  tag: string | null;
  message: string;
  author: string | null;
  createdAt: string;
  active: boolean;
  frozen: boolean;
  size: number;
  dependencies: string | { outcome: string; log?: string };
}

/** How a version's dependencies installed: none, unknown (until the cloud first loads it), installed or failed. */
export const outcomeOf = (version: Pick<VersionSummary, 'dependencies'>) =>
  typeof version.dependencies === 'string' ? version.dependencies : version.dependencies.outcome;

/** A version by its short id, and its tag when it has one: `1a2b3c4d5e6f (1.2.0)`. */
export const versionName = (version: Pick<VersionSummary, 'id' | 'tag'>) => `${version.id.slice(0, 12)}${version.tag ? ` (${version.tag})` : ''}`;

/** An endpoint as the app lists show it: `POST http://…/greet`, marked when anyone may call it. */
export const endpointText = (endpoint: { method: string; url: string; public: boolean }) =>
  `${endpoint.method} ${endpoint.url}${endpoint.public ? ' (public)' : ''}`;
