/** Human-readable output of command results (the --json output is the result itself). */
export function printHuman(result: unknown): void {
  if (isRecommendation(result)) return printRecommendation(result);
  const r = result as Record<string, unknown>;
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

interface RecommendationLike {
  recommended: { workers: number } | null;
  candidates: { workers: number; measured: boolean; throughput: number; seconds: number; cost: number; objective: number; withinBudget: boolean; extrapolated: string }[];
  fit: { model: string; lambda: number; sigma: number; kappa: number; rmseRelative: number; r2: number } | null;
  goal: string;
  notes: string[];
}

function isRecommendation(x: unknown): x is RecommendationLike {
  return typeof x === 'object' && x !== null && 'candidates' in x && 'recommended' in x;
}

function printRecommendation(r: RecommendationLike): void {
  const p = (x: number) => Number(x.toPrecision(4)).toString();
  const lines = [`goal: ${r.goal}`];
  if (r.fit) lines.push(`fit: ${r.fit.model}, lambda ${p(r.fit.lambda)} images/s, sigma ${p(r.fit.sigma)}, kappa ${p(r.fit.kappa)}, relative RMSE ${p(r.fit.rmseRelative)}, r2 ${p(r.fit.r2)}`);
  lines.push('workers  source     images/s     seconds       cost  objective');
  for (const c of r.candidates) {
    const mark = r.recommended?.workers === c.workers ? ' <- recommended' : c.withinBudget ? '' : ' (over budget)';
    const source = c.measured ? 'measured' : c.extrapolated === 'no' ? 'fitted' : `extrap-${c.extrapolated}`;
    lines.push(`${String(c.workers).padStart(7)}  ${source.padEnd(9)} ${p(c.throughput).padStart(10)} ${p(c.seconds).padStart(11)} ${p(c.cost).padStart(10)} ${p(c.objective).padStart(10)}${mark}`);
  }
  lines.push(...r.notes.map((n) => `note: ${n}`));
  process.stdout.write(lines.join('\n') + '\n');
}
