/**
 * @module The nesting bound of JSON values that cross into the host (request bodies, a function's output).
 * Parsing deep JSON is iterative, but serialising it recurses, and a value a few thousand levels deep
 * overflows the stack of whoever serialises it next.
 */

/** Levels of arrays and objects one value may nest; far more than data needs, far fewer than overflow a stack. */
export const MAX_JSON_DEPTH = 512;

/**
 * True when `value` nests arrays and objects deeper than `max` levels. Walks without recursion, so it is
 * safe on the very values it looks for.
 * @example nestedDeeperThan(JSON.parse('[[[]]]'), 2) // true
 */
export function nestedDeeperThan(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
