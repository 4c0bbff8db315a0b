// A JSON text nested deeper than any batch or request the gateway reads is refused before it is
// parsed: 100,000 nested `{"a":` (0.6 MB) overflowed JSON.parse's stack and answered 500. The scan
// is one pass over the characters (about 10 ms for a 10 MB batch), skipping strings, so braces
// inside values do not count.

/** The deepest nesting any gateway body needs: a canonical record is about 8 levels deep. */
export const MAX_JSON_DEPTH = 64;

/** Whether `text` opens more than `max` objects or arrays inside one another (strings skipped). */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: skip to its closing quote, stepping over escapes
      for (i++; i < n; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}
