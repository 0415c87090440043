/** @module The names of the profile store's scopes: a cloud app's, and an app folder's of a root that fleet couriers report on. */

export const appProfileKey = (appId: string) => `app:${appId}`;

/** Folder names are one path segment (api/profiles.ts), so the slash cannot be part of one. */
export const rootProfileKey = (rootId: string, appFolder: string) => `root:${rootId}/${appFolder}`;
