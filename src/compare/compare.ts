/**
 * `pipeline compare <run-a> <run-b>`: the comparisons of two speed-test run folders, and with
 * `--out` the markdown table, the HTML page and its chart.
 */
import { parseOptions } from '../options/define.js';
import { compareOptions, type CompareOptionsInput } from '../options/compare.js';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../output/atomic.js';
import { checkOutPath, makeOutFolder } from '../output/out-path.js';
import { PipelineError } from '../errors.js';
import { loadRun } from '../run-folder/load-run.js';
import { renderSvg, svgToPng } from '../charts/render.js';
import { compareHtml, compareMarkdown, ratioChart } from './compare-page.js';
import { compareRows, type Comparison } from './comparisons.js';

/** `a`, `b` (run folders) and `out` (where to write compare.md, compare.html and compare-ratio.svg/.png; nothing without it): src/options/compare.ts. */
export type CompareOptions = CompareOptionsInput;

export interface CompareResult {
  a: string;
  b: string;
  comparisons: Comparison[];
  /** What the reader must know to read the comparisons (different worker counts). */
  notes: string[];
  /** The markdown table (what the CLI prints without --json). */
  markdown: string;
  files: string[];
}

export async function compare(input: CompareOptions): Promise<CompareResult> {
  const options = parseOptions(compareOptions, input);
  const [a, b] = [resolve(options.a), resolve(options.b)];
  const [runA, runB] = await Promise.all([loadRun(a), loadRun(b)]);
  // A sweep pools passes of several worker / partition counts in one group: refuse rather than mix them.
  for (const [name, run] of [[options.a, runA], [options.b, runB]] as const) {
    const settings = [...new Set(run.measurements.map((r) => `${r.workers} workers, ${r.partitions} partitions`))];
    if (settings.length > 1) throw new PipelineError('USAGE', `${name} is a scaling sweep (${settings.join('; ')}): compare takes runs of one setting each (use recommend for sweeps)`);
  }
  const comparisons = compareRows(runA.measurements, runB.measurements);
  const notes: string[] = [];
  const workersOf = (run: typeof runA) => run.measurements[0]?.workers;
  if (workersOf(runA) !== workersOf(runB)) {
    notes.push(`a ran ${workersOf(runA)} worker thread(s), b ${workersOf(runB)}: images/s is per pass (one thread's rate); with threads side by side the system's rate is about the thread count times it, as long as the cores are not all busy.`);
  }
  if (comparisons.length === 0) {
    throw new PipelineError('DATA', `${a} and ${b} have no dataset x cache x batch size x batch number in common: nothing to compare`);
  }
  const markdown = compareMarkdown(options.a, options.b, comparisons, notes);
  const files: string[] = [];
  if (options.out) {
    const out = checkOutPath(options.out);
    await makeOutFolder(out);
    const svg = await renderSvg(ratioChart(comparisons));
    // Each file complete or absent (temporary name + rename): a full disk leaves no empty compare.md.
    await writeFileAtomic(join(out, 'compare.md'), markdown);
    await writeFileAtomic(join(out, 'compare.html'), compareHtml(options.a, options.b, comparisons, svg, notes));
    await writeFileAtomic(join(out, 'compare-ratio.svg'), svg);
    await writeFileAtomic(join(out, 'compare-ratio.png'), await svgToPng(svg));
    files.push(...['compare.md', 'compare.html', 'compare-ratio.svg', 'compare-ratio.png'].map((f) => join(out, f)));
  }
  return { a, b, comparisons, notes, markdown, files };
}
