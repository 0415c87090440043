/**
 * @module The file operations on the courier's per-request path, through Node's callback API: for the
 * many small files of a backlog it costs less CPU than `fs/promises`, whose FileHandle objects add an
 * open, a close and garbage per call.
 */
import { lstat as lstatCallback, readFile as readFileCallback, rename as renameCallback, writeFile as writeFileCallback } from 'node:fs';
import { promisify } from 'node:util';

export const lstat = promisify(lstatCallback);
export const rename = promisify(renameCallback);
export const readText = (path: string): Promise<string> => promisify(readFileCallback)(path, 'utf8');
export const writeText = (path: string, text: string): Promise<void> => promisify(writeFileCallback)(path, text);
