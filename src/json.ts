/** JSON with bigint written as an exact integer (JSON numbers have no size limit; JS's do). */
export function toJson(value: unknown, indent?: number): string {
  const text = JSON.stringify(
    value,
    (_key, v) => (typeof v === 'bigint' ? `\u0000bigint:${v}` : v),
    indent,
  );
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}
