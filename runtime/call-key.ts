/** @module Call keys: the identity of `(function, version of its code, input)` that cache and precomputed entries are filed under. */
import { createHash } from 'node:crypto';
import { EdgeError } from '../base/errors.ts';

/** Deeper inputs are refused rather than risk the host's stack on hostile nesting. */
const MAX_DEPTH = 256;

/**
 * JSON with object keys sorted at every level, so that `{a:1,b:2}` and `{b:2,a:1}` give one text.
 * @example canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }) // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown, depth = 0): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (depth > MAX_DEPTH) throw new EdgeError('INVALID_INPUT', `the input nests deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item, depth + 1)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const fields = Object.keys(record)
    .filter((key) => record[key] !== undefined && typeof record[key] !== 'function')
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key], depth + 1)}`);
  return `{${fields.join(',')}}`;
}

/**
 * The key of one call: readable function name and code version, then a hash of the canonical input.
 * @example callKey('upper', '3f2a9c0d1e2b4a5f', { text: 'hi' }) // 'upper@3f2a9c0d1e2b4a5f:9b1c…'
 */
export function callKey(fn: string, version: string, input: unknown): string {
  return callKeyOf(fn, version, canonicalJson(input));
}

/** The call key of an input already written as canonical JSON: for a caller that also wants the text (its size, say). */
export function callKeyOf(fn: string, version: string, canonicalInput: string): string {
  const inputHash = createHash('sha256').update(canonicalInput).digest('hex').slice(0, 32);
  return `${fn}@${version}:${inputHash}`;
}
