/** JSON with bigint written as an exact integer (JSON numbers have no size limit; JS's do). */
export function toJson(value: unknown, indent?: number): string {
  const text = JSON.stringify(
    value,
    (_key, v) => (typeof v === 'bigint' ? `\u0000bigint:${v}` : v),
    indent,
  );
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}

/**
 * The deepest nesting of arrays and objects in JSON text, strings skipped (linear, no parse).
 * Checked before JSON.parse where the text comes from outside: V8 parses any depth, but code that
 * walks the value recursively afterwards (String(), JSON.stringify, zod) overflows the stack on a
 * value nested thousands deep, which would be an internal error instead of "bad input".
 */
export function jsonNesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}
