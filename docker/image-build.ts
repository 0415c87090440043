/** @module Builds an image from a Dockerfile and local files with the engine's classic builder, only when the engine lacks it. */
import type Docker from 'dockerode';
import { EdgeError } from '../base/errors.ts';
import { imageExists } from './base-image.ts';
import { sendTar, type TarEntry } from './tar.ts';

/** An image to build: its Dockerfile, named by a hash of that and its inputs, and the rest of its build context. */
export interface ImageRecipe {
  ref: string;
  dockerfile: string;
  context: () => Promise<TarEntry[]>;
}

/**
 * Returns `recipe.ref`, building it first when the engine lacks it. The classic builder takes FROM a local image
 * without pulling, so images build on the base image with no registry.
 * @example const ref = await ensureImage(docker, { ref: 'x:1', dockerfile: `FROM ${base}`, context: async () => [] }, console.error)
 */
export async function ensureImage(docker: Docker, recipe: ImageRecipe, log: (line: string) => void): Promise<string> {
  if (await imageExists(docker, recipe.ref)) return recipe.ref;
  const entries = [{ path: 'Dockerfile', mode: 0o644, data: Buffer.from(`${recipe.dockerfile}\n`) }, ...(await recipe.context())];
  const bytes = entries.reduce((sum, entry) => sum + (entry.file?.size ?? 0), 0);
  log(`building ${recipe.ref} (${entries.length} entries, ${(bytes / 1e6).toFixed(1)} MB)`);
  const started = Date.now();
  try {
    await sendTar(docker, entries, (tar) => docker.buildImage(tar, { t: recipe.ref, rm: true, forcerm: true }));
  } catch (error) {
    throw new EdgeError('ENGINE_UNAVAILABLE', `Could not build the image ${recipe.ref}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  // A build that failed in a step can end its stream without an error event; the tag is what counts.
  if (!(await imageExists(docker, recipe.ref))) throw new EdgeError('ENGINE_UNAVAILABLE', `The engine built no image ${recipe.ref} and reported no error`);
  log(`built ${recipe.ref} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return recipe.ref;
}
