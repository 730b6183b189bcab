/** Human-readable output of command results (the --json output is the result itself). */
export function printHuman(result: unknown): void {
  const r = result as Record<string, unknown> & { summaryLines?: () => string[] };
  const lines: string[] = [];
  for (const [key, value] of Object.entries(r)) {
    if (key === 'examples') continue;
    if (key === 'errors' && Array.isArray(value)) {
      lines.push(`errors: ${value.length}`);
      for (const e of value.slice(0, 20) as { file: string; offset: number; record: number; error: string }[]) {
        lines.push(`  ${e.file}: record ${e.record} at offset ${e.offset}: ${e.error}`);
      }
      if (value.length > 20) lines.push(`  ... ${value.length - 20} more`);
      continue;
    }
    if (value !== null && typeof value === 'object') {
      lines.push(`${key}:`);
      for (const [k, v] of Object.entries(value)) lines.push(`  ${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
      continue;
    }
    lines.push(`${key}: ${typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(2) : String(value)}`);
  }
  if (Array.isArray(r.examples)) lines.push(`examples:`, ...r.examples.map((e) => '  ' + JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))));
  process.stdout.write(lines.join('\n') + '\n');
}
