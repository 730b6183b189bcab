/**
 * The recommender's core (pure): from measured rows to candidates (machine, workers) with their
 * predicted seconds, cost and objective alpha * seconds + beta * cost, subject to cost <= budget.
 * Each machine type gets its own model, chosen by leave-one-out error; with fewer than 4 measured
 * points, or when no model predicts its held-out points well enough, the answer comes from the
 * measured table alone, and says so.
 */
import { median } from '../stats/median.js';
import { chooseModel, MODEL_NAMES, predictSeconds, type ModelFit, type ModelName, type TimePoint } from '../scaling/models.js';
import { MAX_WORKERS, type MeasuredRow } from './measurements.js';
import { RECOMMEND_DEFAULTS } from '../options/recommend.js';

export type Goal = 'time' | 'cost' | 'weighted';
export type ModelChoice = 'auto' | 'none' | ModelName;

export interface RecommendSettings {
  goal?: Goal;
  alpha?: number;
  beta?: number;
  budget?: number;
  /** Price of one worker for an hour, where the table has no price_per_hour (default 1). */
  pricePerWorkerHour?: number;
  /** Worker counts to predict and choose from (default: 1 to maxWorkers). */
  candidates?: number[];
  /** Largest worker count considered (default: twice the largest measured). */
  maxWorkers?: number;
  /** 'auto': the model with the lowest leave-one-out error; 'none': the measured table alone. */
  model?: ModelChoice;
  /** The workload in throughput units (images), to turn a throughput into seconds (default 1). */
  work?: number;
  /** Ernest's data size to predict at, when the table's scale column varies (default: its largest). */
  scale?: number;
  /** A model whose leave-one-out error is above this (relative) is not trusted (default 0.25). */
  maxLooError?: number;
}

export type Extrapolation = 'no' | 'near' | 'far';

export interface Candidate {
  machine: string;
  workers: number;
  /** The measured median when measured, else the model's prediction. */
  predictedSeconds: number;
  cost: number;
  objective: number;
  measured: boolean;
  predictedFrom: 'measured' | ModelName;
  withinBudget: boolean;
  /** "no" inside the measured range; "near" up to 2x beyond it; "far" past that. */
  extrapolation: Extrapolation;
}

export interface MachineFit {
  machine: string;
  /** Distinct measured points (workers, scale) the models were checked on. */
  points: number;
  /** The model the answer uses; null when it comes from the table alone. */
  chosen: ModelName | null;
  looError: number | null;
  /** Every model with its parameters, training error and leave-one-out error. */
  models: ModelFit[];
  basis: 'model' | 'table';
  reason: string | null;
  pricePerHour: number;
  cores: number | null;
  measuredWorkers: [number, number];
  /** The data size predictions are made for, when the table's scale column varies (else null). */
  scale: number | null;
}

export interface MeasuredPoint {
  machine: string;
  workers: number;
  scale: number | null;
  seconds: number;
  runs: number;
}

export interface Recommendation {
  recommended: Candidate | null;
  /** "model" when the recommended candidate's machine has a checked model, else "table". */
  basis: 'model' | 'table';
  candidates: Candidate[];
  /** Counts the answer chose from (a range's every count), of which `candidates` lists a bounded selection. */
  candidatesConsidered: number;
  /** The recommended machine's fit (or the only machine's). */
  fit: MachineFit | null;
  fits: MachineFit[];
  measured: MeasuredPoint[];
  goal: Goal;
  alpha: number;
  beta: number;
  budget: number | null;
  work: number;
  notes: string[];
}

/** What the next-run search needs beyond the printed answer. */
export interface MachineState {
  fit: MachineFit;
  chosen: ModelFit | null;
  points: TimePoint[];
  /** Measured points at the scale predictions are made for. */
  atScale: (TimePoint & { runs: number })[];
  /** The same, by worker count. */
  atScaleByWorkers: ReadonlyMap<number, TimePoint>;
  scale: number;
  scaleVaries: boolean;
  /** Candidate counts considered for this machine. */
  counts: number[];
}

export interface Analysis {
  result: Recommendation;
  machines: MachineState[];
  settings: Required<Pick<RecommendSettings, 'goal' | 'alpha' | 'beta' | 'maxLooError' | 'work'>> & RecommendSettings;
}

export const MIN_POINTS = 4;
/** Candidate rows printed per machine at most: a million-worker range must not print megabytes. */
export const SHOWN_PER_MACHINE = 128;

/** The objective's weights: time alone (1, 0), cost alone (0, 1), or --alpha / --beta. */
export function weights(settings: RecommendSettings): { goal: Goal; alpha: number; beta: number } {
  const goal = settings.goal ?? RECOMMEND_DEFAULTS.goal;
  if (goal !== 'weighted') return { goal, alpha: goal === 'time' ? 1 : 0, beta: goal === 'cost' ? 1 : 0 };
  return { goal, alpha: settings.alpha ?? RECOMMEND_DEFAULTS.alpha, beta: settings.beta ?? RECOMMEND_DEFAULTS.beta };
}

/** 1..max when small, else 1..32 then a geometric grid: about SHOWN_PER_MACHINE counts. */
export function countGrid(max: number): number[] {
  if (max <= SHOWN_PER_MACHINE) return Array.from({ length: max }, (_, i) => i + 1);
  const dense = 32;
  const steps = SHOWN_PER_MACHINE - dense;
  const ratio = (max / dense) ** (1 / steps);
  const out = new Set(Array.from({ length: dense }, (_, i) => i + 1));
  for (let i = 1; i <= steps; i++) out.add(Math.min(max, Math.round(dense * ratio ** i)));
  out.add(max);
  return [...out].sort((a, b) => a - b);
}

export function analyse(rows: readonly MeasuredRow[], input: RecommendSettings = {}): Analysis {
  const { goal, alpha, beta } = weights(input);
  const { maxLooError, work } = RECOMMEND_DEFAULTS;
  const settings = { ...input, goal, alpha, beta, maxLooError: input.maxLooError ?? maxLooError, work: input.work ?? work };
  const notes: string[] = [];
  if (rows.some((r) => r.seconds === undefined) && input.work === undefined) {
    notes.push('rows give throughput, not seconds, and no workload was given (--images): seconds and costs are per unit of work');
  }
  const byMachine = groupBy(rows, (r) => r.machine);

  const machines: MachineState[] = [];
  const measured: MeasuredPoint[] = [];
  const candidates: Candidate[] = [];
  let considered = 0;
  for (const [machine, mrows] of byMachine) {
    const state = analyseMachine(machine, mrows, settings, notes);
    machines.push(state);
    for (const p of state.atScale)
      measured.push({ machine, workers: p.workers, scale: state.scaleVaries ? (p.scale ?? null) : null, seconds: p.seconds, runs: p.runs });
    // A model may predict nothing sensible at some count (zero or less): such counts are not candidates.
    const evaluated = state.counts.map((m) => candidateAt(state, m, settings)).filter((c) => c.predictedSeconds > 0 && Number.isFinite(c.predictedSeconds));
    // A thinned grid stands for every count of its range (the best is refined count by count below).
    considered += state.chosen && input.candidates === undefined ? Math.max(evaluated.length, state.counts[state.counts.length - 1] ?? 0) : evaluated.length;
    for (const c of evaluated) candidates.push(c);
  }

  // Lowest objective within the budget; on a tie, fewer workers, then the cheaper.
  const better = (a: Candidate, b: Candidate) =>
    a.objective < b.objective * (1 - 1e-12) ||
    (Math.abs(a.objective - b.objective) <= 1e-12 * b.objective && (a.workers < b.workers || (a.workers === b.workers && a.cost < b.cost)));
  let recommended = candidates.filter((c) => c.withinBudget).reduce<Candidate | null>((best, c) => (!best || better(c, best) ? c : best), null);
  // On a thinned grid the best count may lie between two grid points: search the integers there.
  if (recommended && !recommended.measured && input.candidates === undefined) {
    const state = machines.find((s) => s.fit.machine === recommended!.machine)!;
    const i = state.counts.indexOf(recommended.workers);
    const lo = state.counts[i - 1] ?? recommended.workers;
    const hi = state.counts[i + 1] ?? recommended.workers;
    if (hi - lo > 2) {
      for (let m = lo + 1; m < hi; m++) {
        const c = candidateAt(state, m, settings);
        if (c.predictedSeconds > 0 && c.withinBudget && better(c, recommended)) recommended = c;
      }
      if (!candidates.some((c) => c.machine === recommended!.machine && c.workers === recommended!.workers)) candidates.push(recommended);
    }
  }
  candidates.sort((a, b) => a.machine.localeCompare(b.machine) || a.workers - b.workers);

  const fits = machines.map((s) => s.fit);
  if (!recommended && candidates.length > 0 && settings.budget !== undefined) {
    notes.push(`no candidate fits the budget of ${settings.budget}: the cheapest costs ${minOf(candidates.map((c) => c.cost)).toPrecision(3)}`);
  }
  if (recommended?.extrapolation === 'far') {
    notes.push(`the recommended ${recommended.workers} workers on ${recommended.machine} is far outside the measured ${fits.find((f) => f.machine === recommended!.machine)!.measuredWorkers.join('-')}: the prediction there is a guess; measure it before relying on it (--next)`);
  }
  const far = candidates.filter((c) => c.extrapolation === 'far').length;
  if (far > 0 && recommended?.extrapolation !== 'far') notes.push(`${far} candidates lie more than 2x outside the measured worker counts: their predictions are guesses (extrapolation "far")`);
  const fit = recommended ? fits.find((f) => f.machine === recommended!.machine)! : fits.length === 1 ? fits[0] : null;
  return {
    result: {
      recommended,
      basis: recommended ? (recommended.predictedFrom === 'measured' && fit?.basis === 'table' ? 'table' : fit?.basis ?? 'table') : 'table',
      candidates,
      candidatesConsidered: considered,
      fit,
      fits,
      measured,
      goal,
      alpha,
      beta,
      budget: settings.budget ?? null,
      work: settings.work,
      notes,
    },
    machines,
    settings,
  };
}

function candidateAt(state: MachineState, workers: number, settings: Analysis['settings']): Candidate {
  const point = state.atScaleByWorkers.get(workers);
  const seconds = point ? point.seconds : predictSeconds(state.chosen!, workers, state.scale);
  const cost = (seconds / 3600) * workers * state.fit.pricePerHour;
  const [lo, hi] = state.fit.measuredWorkers;
  return {
    machine: state.fit.machine,
    workers,
    predictedSeconds: seconds,
    cost,
    objective: settings.alpha * seconds + settings.beta * cost,
    measured: Boolean(point),
    predictedFrom: point ? 'measured' : state.chosen!.model,
    withinBudget: settings.budget === undefined || cost <= settings.budget,
    extrapolation: workers >= lo && workers <= hi ? 'no' : workers <= 2 * hi && workers >= lo / 2 ? 'near' : 'far',
  };
}

function analyseMachine(machine: string, rows: MeasuredRow[], settings: Analysis['settings'], notes: string[]): MachineState {
  const label = machine === 'default' ? '' : `${machine}: `;
  const secondsOf = (r: MeasuredRow) => r.seconds ?? settings.work / r.throughput!;
  const scales = new Set(rows.map((r) => r.scale ?? 1));
  const scaleVaries = scales.size > 1;
  const scale = scaleVaries ? settings.scale ?? maxOf(scales) : 1;
  // Repeated runs of one setting: their median.
  const groups = groupBy(rows, (r) => `${r.workers}|${scaleVaries ? r.scale ?? 1 : 1}`);
  const points: (TimePoint & { scale: number; runs: number })[] = [...groups.values()]
    .map((g) => ({ workers: g[0].workers, scale: scaleVaries ? g[0].scale ?? 1 : 1, seconds: median(g.map(secondsOf)), runs: g.length }))
    .sort((a, b) => a.workers - b.workers || a.scale - b.scale);
  const atScale = points.filter((p) => p.scale === scale);

  // Columns that differ between runs of one setting were pooled: say so, the user may want --where.
  for (const { key, values, more } of pooledColumns(rows, groups)) {
    notes.push(`${label}rows differ in ${key} (${values.join(', ')}${more ? ', ...' : ''}) and were pooled as repeated runs (median); pick one with --where ${key}=VALUE`);
  }
  const prices = rows.map((r) => r.pricePerHour).filter((p): p is number => p !== undefined);
  const pricePerHour = prices.length ? median(prices) : settings.pricePerWorkerHour ?? RECOMMEND_DEFAULTS.pricePerWorkerHour;
  const coreCounts = rows.map((r) => r.cores).filter((c): c is number => c !== undefined);
  const cores = coreCounts.length ? minOf(coreCounts) : null;
  if (cores !== null) {
    const above = [...new Set(rows.filter((r) => r.workers > (r.cores ?? Infinity)).map((r) => r.workers))];
    if (above.length) notes.push(`${label}measured worker counts ${above.join(', ')} exceed the ${cores} cores of the machine they ran on: those threads shared cores, so the points say little about more hardware`);
  }

  const measuredWorkers: [number, number] = [minOf(points.map((p) => p.workers)), maxOf(points.map((p) => p.workers))];
  const allowed: ModelName[] = settings.model === 'auto' || settings.model === undefined ? (scaleVaries ? ['ernest'] : [...MODEL_NAMES]) : settings.model === 'none' ? [] : [settings.model];
  if (scaleVaries && allowed.some((m) => m !== 'ernest')) notes.push(`${label}the scale column varies: only Ernest's model accounts for data size; Amdahl and USL assume one size`);
  const { models, chosen: best } = allowed.length ? chooseModel(points, allowed) : { models: [], chosen: null };
  let chosen = best;
  let reason: string | null = null;
  if (settings.model === 'none') reason = 'no model asked for: the answer comes from the measured table';
  else if (points.length < MIN_POINTS) reason = `${points.length} measured point${points.length === 1 ? '' : 's'}: no model can be checked (leave-one-out needs at least ${MIN_POINTS}); the answer comes from the measured table`;
  else if (!best) reason = `no model can be checked on ${points.length} points: the answer comes from the measured table`;
  else if (best.looError! > settings.maxLooError) reason = `no model predicts its held-out points within ${(settings.maxLooError * 100).toFixed(0)}% (best: ${best.model}, leave-one-out error ${(best.looError! * 100).toFixed(1)}%): the answer comes from the measured table`;
  if (reason) chosen = null;
  if (reason && settings.model !== 'none') notes.push(label + reason);

  let counts: number[];
  if (!chosen) {
    counts = atScale.map((p) => p.workers);
    if (settings.candidates) {
      const missing = settings.candidates.filter((c) => !counts.includes(c));
      counts = counts.filter((c) => settings.candidates!.includes(c));
      if (missing.length) notes.push(`${label}candidates ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''} are not measured and no checked model predicts them: left out`);
    }
  } else {
    const max = settings.maxWorkers ?? Math.min(RECOMMEND_DEFAULTS.maxWorkersPerMeasured * measuredWorkers[1], MAX_WORKERS);
    counts = settings.candidates
      ? [...settings.candidates]
      : [...new Set([...countGrid(max), ...atScale.map((p) => p.workers).filter((w) => w <= max)])].sort((a, b) => a - b);
  }
  return {
    fit: { machine, points: points.length, chosen: chosen?.model ?? null, looError: chosen?.looError ?? best?.looError ?? null, models, basis: chosen ? 'model' : 'table', reason, pricePerHour, cores, measuredWorkers, scale: scaleVaries ? scale : null },
    chosen,
    points,
    atScale,
    atScaleByWorkers: new Map(atScale.map((p) => [p.workers, p])),
    scale,
    scaleVaries,
    counts,
  };
}

/** Rows by key, in first-seen order (one pass: spreading an array per row made 99,000 rows quadratic). */
function groupBy<K>(rows: readonly MeasuredRow[], key: (r: MeasuredRow) => K): Map<K, MeasuredRow[]> {
  const out = new Map<K, MeasuredRow[]>();
  for (const r of rows) {
    const k = key(r);
    const group = out.get(k);
    if (group) group.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/** Math.min / Math.max without spreading: 100,000 arguments overflow the stack. */
function minOf(values: Iterable<number>): number {
  let m = Infinity;
  for (const v of values) if (v < m) m = v;
  return m;
}
function maxOf(values: Iterable<number>): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}

/**
 * Extra columns whose values differ inside one group of repeated runs (a row without the column
 * counts as a value of its own), each with its first distinct values in row order (at most 5).
 * Linear in the number of cells: a table with a new column name on every row stays fast.
 */
function pooledColumns(rows: readonly MeasuredRow[], groups: ReadonlyMap<string, readonly MeasuredRow[]>): { key: string; values: string[]; more: boolean }[] {
  // Row positions holding each key, in row order.
  const holders = new Map<string, number[]>();
  rows.forEach((r, i) => {
    for (const key of Object.keys(r.extra)) {
      const list = holders.get(key);
      if (list) list.push(i);
      else holders.set(key, [i]);
    }
  });
  const clashing = new Set<string>();
  for (const g of groups.values()) {
    const first = new Map<string, string>();
    const seen = new Map<string, number>();
    for (const r of g) {
      for (const [key, value] of Object.entries(r.extra)) {
        if (!first.has(key)) first.set(key, value);
        else if (first.get(key) !== value) clashing.add(key);
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    }
    for (const [key, count] of seen) if (count < g.length) clashing.add(key);
  }
  const out: { key: string; values: string[]; more: boolean }[] = [];
  for (const [key, at] of holders) {
    if (!clashing.has(key)) continue;
    // The first row without the key shows as an empty value where it comes in row order.
    let gap = at.findIndex((row, j) => row !== j);
    if (gap < 0) gap = at.length < rows.length ? at.length : -1;
    const values: string[] = [];
    const distinct = new Set<string | undefined>();
    for (let j = 0; j <= at.length && distinct.size < 6; j++) {
      if (j === gap) distinct.add(undefined);
      if (j < at.length) distinct.add(rows[at[j]].extra[key]);
    }
    for (const v of distinct) if (values.length < 5) values.push(v ?? '');
    out.push({ key, values, more: distinct.size > 5 });
  }
  return out;
}
