/**
 * Where a pass's time goes. Sources and the pass mark each piece of work as an interval
 * (performance.now() milliseconds) of one stage; `attribute` turns the intervals of a pass into
 * (a) busy time per stage (sum of the intervals' lengths, which can exceed the wall time when
 * several images are in flight) and (b) each stage's share of the wall clock: every instant of the
 * pass is split equally among the intervals of work (parse, decode, fit, assembly) running at that
 * instant; an instant with only reads running is `read`, and instants when none runs
 * are `wait` (the thread idle, waiting for the event loop, I/O callbacks or the thread pool). The
 * shares and wait add up to the pass's wall time by construction. Pure except StageClock's array.
 */
export const STAGES = ['read', 'verify_parse', 'decode', 'fit', 'assembly'] as const;
export type Stage = (typeof STAGES)[number];

/** Collects stage intervals; one per worker thread, reset at the start of every pass. */
export class StageClock {
  /** Flat [stageIndex, start, end, ...]: cheap to append thousands of times a pass. */
  private marks: number[] = [];

  mark(stage: Stage, start: number, end: number): void {
    this.marks.push(STAGES.indexOf(stage), start, end);
  }

  /** Times `fn` (synchronous) as one interval of `stage`. */
  time<T>(stage: Stage, fn: () => T): T {
    const start = performance.now();
    try {
      return fn();
    } finally {
      this.mark(stage, start, performance.now());
    }
  }

  reset(): void {
    this.marks = [];
  }

  intervals(): { stage: Stage; start: number; end: number }[] {
    const out: { stage: Stage; start: number; end: number }[] = [];
    for (let i = 0; i < this.marks.length; i += 3) out.push({ stage: STAGES[this.marks[i]], start: this.marks[i + 1], end: this.marks[i + 2] });
    return out;
  }
}

export interface StageTimes {
  /** Wall-clock share of each stage, ms; with `wait` they add up to end - start. */
  share: Record<Stage, number>;
  wait: number;
  /** Sum of each stage's interval lengths inside the window, ms. */
  busy: Record<Stage, number>;
}

const zeros = () => Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;

/** Attributes the window [start, end] to the intervals (clipped to it), as described above. */
export function attribute(intervals: readonly { stage: Stage; start: number; end: number }[], start: number, end: number): StageTimes {
  const share = zeros();
  const busy = zeros();
  const events: [number, number, Stage][] = [];
  for (const iv of intervals) {
    const a = Math.max(iv.start, start);
    const b = Math.min(iv.end, end);
    if (b <= a) continue;
    busy[iv.stage] += b - a;
    events.push([a, 1, iv.stage], [b, -1, iv.stage]);
  }
  // Ends before starts at the same instant, so touching intervals never count as overlapping.
  events.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const active = zeros();
  let running = 0;
  let wait = 0;
  let t = start;
  for (const [at, delta, stage] of events) {
    const dt = at - t;
    if (dt > 0) {
      // Work on the thread outranks reads: a read's interval runs until its await resumes, which
      // includes the time the thread spent decoding other images meanwhile, so `read` only gets the
      // instants when nothing else runs (the pass waiting on storage alone).
      const working = running - active.read;
      if (working > 0) {
        for (const s of STAGES) if (s !== 'read' && active[s] > 0) share[s] += (dt * active[s]) / working;
      } else if (running > 0) share.read += dt;
      else wait += dt;
    }
    t = at;
    active[stage] += delta;
    running += delta;
  }
  wait += end - t;
  return { share, wait, busy };
}
