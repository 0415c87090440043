// Idempotent: its results come back in the response's cache, and a cache sent back skips it.
export default function upper(input) {
  return String(input.text).toUpperCase();
}
