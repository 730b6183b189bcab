/** Human-readable output of command results (the --json output is the result itself). */
import { summariseHex } from '../tfrecord/dump-summary.js';

export function printHuman(result: unknown): void {
  if (typeof result === 'object' && result !== null && typeof (result as { markdown?: unknown }).markdown === 'string') {
    const { markdown, files } = result as { markdown: string; files?: string[] };
    process.stdout.write(markdown + (files?.length ? `\nwritten: ${files.join(', ')}\n` : ''));
    return;
  }
  if (isNext(result)) return printNext(result);
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
  // Long bytes values (images) as a summary line, not tens of thousands of hex characters.
  if (Array.isArray(r.examples)) lines.push(`examples:`, ...r.examples.map((e) => '  ' + JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? v.toString() : typeof v === 'string' ? summariseHex(v) : v))));
  process.stdout.write(lines.join('\n') + '\n');
}

interface RecommendationLike {
  recommended: { machine: string; workers: number } | null;
  candidates: {
    machine: string;
    workers: number;
    measured: boolean;
    predictedSeconds: number;
    cost: number;
    objective: number;
    withinBudget: boolean;
    extrapolation: string;
    predictedFrom: string;
  }[];
  candidatesConsidered: number;
  fits: {
    machine: string;
    points: number;
    chosen: string | null;
    looError: number | null;
    models: { model: string; looError: number | null; trainError: number }[];
    reason: string | null;
  }[];
  goal: string;
  basis: string;
  notes: string[];
}

interface NextLike {
  next: { machine: string; workers: number } | null;
  reason: string;
  recommended: { machine: string; workers: number; predictedSeconds: number } | null;
  notes: string[];
}

function isRecommendation(x: unknown): x is RecommendationLike {
  return typeof x === 'object' && x !== null && 'candidates' in x && 'recommended' in x;
}

function isNext(x: unknown): x is NextLike {
  return typeof x === 'object' && x !== null && 'next' in x && 'reason' in x && 'recommended' in x;
}

const p = (x: number) => Number(x.toPrecision(4)).toString();
const pct = (x: number | null) => (x === null ? 'not checked' : `${(x * 100).toFixed(1)}%`);

function printNext(r: NextLike): void {
  const lines = [
    `next: ${r.next ? `${r.next.workers} workers${r.next.machine === 'default' ? '' : ` on ${r.next.machine}`}` : 'none'}`,
    `reason: ${r.reason}`,
    `recommended now: ${r.recommended ? `${r.recommended.workers} workers${r.recommended.machine === 'default' ? '' : ` on ${r.recommended.machine}`} (${p(r.recommended.predictedSeconds)} s)` : 'none'}`,
    ...r.notes.map((n) => `note: ${n}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

function printRecommendation(r: RecommendationLike): void {
  const lines = [`goal: ${r.goal} (answer from the ${r.basis})`];
  for (const f of r.fits) {
    const name = f.machine === 'default' ? '' : `${f.machine}: `;
    lines.push(`fit: ${name}${f.chosen ?? 'none'} on ${f.points} points; leave-one-out error ${f.models.map((m) => `${m.model} ${pct(m.looError)}`).join(', ') || 'not checked'}`);
  }
  const machines = new Set(r.candidates.map((c) => c.machine)).size > 1;
  lines.push(`${machines ? 'machine'.padEnd(16) : ''}workers  source        seconds       cost  objective`);
  for (const c of r.candidates) {
    const chosen = r.recommended?.workers === c.workers && r.recommended.machine === c.machine;
    const mark = chosen ? ' <- recommended' : c.withinBudget ? '' : ' (over budget)';
    const source = c.measured ? 'measured' : c.extrapolation === 'no' ? c.predictedFrom : `${c.predictedFrom}-${c.extrapolation}`;
    lines.push(`${machines ? c.machine.slice(0, 15).padEnd(16) : ''}${String(c.workers).padStart(7)}  ${source.padEnd(11)} ${p(c.predictedSeconds).padStart(9)} ${p(c.cost).padStart(10)} ${p(c.objective).padStart(10)}${mark}`);
  }
  if (r.candidatesConsidered > r.candidates.length) lines.push(`(${r.candidates.length} of ${r.candidatesConsidered} candidates shown)`);
  lines.push(...r.notes.map((n) => `note: ${n}`));
  process.stdout.write(lines.join('\n') + '\n');
}
