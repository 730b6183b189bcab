/**
 * Every table of a speed-test run folder, declared once: its file name, its columns and their
 * types, and whether an Arrow copy is written beside the CSV. The row types, the writers
 * (tables.ts), the validated readers (read-table.ts) and the list of files `--overwrite` removes
 * (src/run-folder/ownership.ts) all come from these declarations (Arrow JS's schema -> row type).
 *
 * A column's type: 'int' (Int32: counts, sizes, indices), 'int64' (Int64: counters that can pass
 * 2^31, bytes and operations), 'float' (Float64: times, rates), 'string'. `nullable`: the value can
 * be null (empty in the CSV); `optional`: runs written before the column existed lack it.
 */
export type ColumnType = 'string' | 'int' | 'int64' | 'float';
export type ColumnSpec = ColumnType | { type: ColumnType; nullable?: true; optional?: true };
export type ColumnSpecs = Record<string, ColumnSpec>;

export interface TableSchema<C extends ColumnSpecs = ColumnSpecs> {
  /** The base name: `name.csv`, and `name.arrow` when `arrow`. */
  name: string;
  columns: C;
  arrow: boolean;
}

type BaseType<S> = S extends { type: infer T } ? T : S;
type ValueOf<S> = (BaseType<S> extends 'string' ? string : number) | (S extends { nullable: true } ? null : never);
type OptionalKeys<C> = { [K in keyof C]: C[K] extends { optional: true } ? K : never }[keyof C];

/** The row type a schema's columns describe. */
export type RowOf<C extends ColumnSpecs> = { [K in Exclude<keyof C, OptionalKeys<C>>]: ValueOf<C[K]> } & { [K in OptionalKeys<C>]?: ValueOf<C[K]> };

export const table = <C extends ColumnSpecs>(name: string, columns: C, arrow: boolean): TableSchema<C> => ({ name, columns, arrow });

/** Columns added to measurements after the first runs (stage times): older runs lack them. */
const since = (type: ColumnType) => ({ type, optional: true }) as const;
const sinceNullable = (type: ColumnType) => ({ type, optional: true, nullable: true }) as const;

/** measurements.csv / .arrow: one row per timed pass. */
export const MEASUREMENTS = table('measurements', {
  dataset: 'string', cache: 'string', batch_size: 'int', batch_number: 'int', repetition: 'int', data_size: 'int',
  images: 'int', seconds: 'float', images_per_second: 'float', bytes_read: 'int64', workers: 'int', partitions: 'int',
  task: 'int', worker: 'int', start_ms: 'float', end_ms: 'float', epochs: 'int', cached_images: 'int',
  /** Pass start to the first complete batch, ms. */
  first_batch_ms: since('float'),
  /** images/s after the first batch (null with a single batch). */
  steady_images_per_second: sinceNullable('float'),
  // Wall-clock share of each stage, ms; with wait_ms they add up to the pass's wall time (src/speedtest/stages.ts).
  read_ms: since('float'), verify_parse_ms: since('float'), decode_ms: since('float'), fit_ms: since('float'), assembly_ms: since('float'), wait_ms: since('float'),
  // Sums of per-item times per stage, ms (more than the wall time when items overlap).
  read_busy_ms: since('float'), verify_parse_busy_ms: since('float'), decode_busy_ms: since('float'), fit_busy_ms: since('float'), assembly_busy_ms: since('float'),
  /** CPU time of the worker thread during the pass, ms (not the thread pool's reads and resizes). */
  thread_cpu_ms: sinceNullable('float'),
}, true);
export type MeasurementRow = RowOf<typeof MEASUREMENTS.columns>;

/** tasks.csv: one row per grid task, its span on the driver's clock. */
export const TASKS = table('tasks', {
  task: 'int', worker: 'int',
  // Runs written before scaling studies lack these.
  workers: { type: 'int', optional: true }, partitions: { type: 'int', optional: true },
  dataset: 'string', cache: 'string', batch_size: 'int', batch_number: 'int', start_ms: 'float', end_ms: 'float', rows: 'int', images: 'int',
  /** The host that ran it (hosts.csv's name); its times are on the driver's clock. */
  host: { type: 'string', optional: true },
}, false);
export type TaskRow = RowOf<typeof TASKS.columns>;

/** problems.csv: corrupt records and unreadable images met by the speed test. */
export const PROBLEMS = table('problems', { task: 'int', source: 'string', offset: 'int64', error: 'string' }, false);
export type ProblemRow = RowOf<typeof PROBLEMS.columns>;

/** resources.csv / .arrow: the process sampled every interval; one CPU column per worker thread. */
/** The CPU column of worker thread `w` in resources.*. */
export const workerCpuColumn = (w: number) => `cpu_worker_${w}` as const;

export function resourcesTable(workers: number) {
  const perWorker = Object.fromEntries(Array.from({ length: workers }, (_, w) => [workerCpuColumn(w), 'float' as const]));
  return table('resources', {
    elapsed_ms: 'float', cpu_process: 'float', cpu_main: 'float', cpu_other: 'float',
    ...perWorker,
    rss_bytes: 'int64', read_bytes: 'int64', read_ops: 'int64', written_bytes: 'int64',
  }, true);
}
/** What a reader needs of resources.* (the per-worker columns vary). */
export const RESOURCES = resourcesTable(0);
/** A resources row: the fixed columns and one `cpu_worker_<n>` per worker thread. */
export type ResourceRow = RowOf<typeof RESOURCES.columns> & { [workerColumn: ReturnType<typeof workerCpuColumn>]: number };

/** hosts.csv / .arrow: one row per host per sampling interval (src/hosts/). */
export const HOSTS = table('hosts', {
  host: 'string',
  /** local, driver or worker (HostRole). */
  role: 'string',
  /** The machine's hostname: two worker processes on one machine share it (and its figures). */
  machine: 'string',
  t_ms: 'float', interval_ms: 'float',
  // Percent of all cores; user includes nice, system includes irq and softirq; they sum to 100.
  cpu_user: 'float', cpu_system: 'float', cpu_iowait: 'float', cpu_steal: 'float', cpu_idle: 'float', load1: 'float',
  mem_used_bytes: 'int64', mem_available_bytes: 'int64', mem_cache_bytes: 'int64', mem_used_percent: 'float',
  disk_read_bytes_per_s: 'float', disk_write_bytes_per_s: 'float', disk_read_ops_per_s: 'float', disk_write_ops_per_s: 'float',
  /** Percent of the interval the busiest counted disk had I/O in flight (iostat's %util). */
  disk_busy_percent: 'float',
  net_in_bytes_per_s: 'float', net_out_bytes_per_s: 'float', net_in_packets_per_s: 'float', net_out_packets_per_s: 'float',
  lo_in_bytes_per_s: 'float', lo_out_bytes_per_s: 'float',
  // The sampling process itself: CPU percent of one core, resident memory.
  process_cpu: 'float', process_rss_bytes: 'int64',
}, true);
export type HostRole = 'local' | 'driver' | 'worker';
/** A hosts row (a figure not measured is NaN in memory, empty in the CSV). */
export type HostRow = Omit<RowOf<typeof HOSTS.columns>, 'role'> & { role: HostRole };

/** alarms.csv: one row per alarm that fired (src/hosts/alarms.ts). */
export const ALARMS = table('alarms', {
  host: 'string', alarm: 'string', metric: 'string', op: 'string', threshold: 'float', start_ms: 'float', end_ms: 'float', peak: 'float',
}, false);

const nullableFloat = { type: 'float', nullable: true } as const;

/** regression.csv (written by report): one line fitted per dataset x cache x parameter. */
export const REGRESSION = table('regression', {
  dataset: 'string', cache: 'string', parameter: 'string', n: 'int', slope: nullableFloat, intercept: nullableFloat, r: nullableFloat, r2: nullableFloat,
  p_value: nullableFloat, stderr: nullableFloat, slope_ci_low: nullableFloat, slope_ci_high: nullableFloat, note: 'string',
}, false);

/** regression-multi.csv (written by report): one multiple regression per dataset x cache, a row per term. */
export const REGRESSION_MULTI = table('regression-multi', {
  dataset: 'string', cache: 'string', term: 'string', coefficient: nullableFloat, stderr: nullableFloat, t: nullableFloat, p_value: nullableFloat,
  ci_low: nullableFloat, ci_high: nullableFloat, vif: nullableFloat, n: 'int', r2: nullableFloat, adjusted_r2: nullableFloat, note: 'string',
}, false);

/**
 * beside.csv (written by `report --beside OTHER`): this run's grid and another's, a row per run x
 * dataset x cache. `tfrecord_vs_images` is that run's TFRecord/images ratio for the cache mode
 * (repeated on its rows); the request counts and TTFB are the run's own, blank for local data.
 */
export const BESIDE = table('beside', {
  run: 'string', run_dir: 'string', where: 'string', dataset: 'string', cache: 'string', location: 'string', passes: 'int',
  median_images_per_second: 'float', tfrecord_vs_images: nullableFloat,
  get_requests: { type: 'int64', nullable: true }, list_requests: { type: 'int64', nullable: true }, ttfb_p50_ms: nullableFloat,
}, false);
export type BesideRow = RowOf<typeof BESIDE.columns>;

/** Every table of a run folder. */
export const RUN_TABLES: readonly TableSchema[] = [MEASUREMENTS, TASKS, PROBLEMS, RESOURCES, HOSTS, ALARMS, REGRESSION, REGRESSION_MULTI, BESIDE];

/** The run's other files: run.json (speedtest), the report's summary, page and chart folder. */
const RUN_OTHER_FILES = ['run.json', 'summary.md', 'report.html', 'charts'];

/** Every file a speed test and its report write into a run folder (DESIGN.md): what --overwrite removes. */
export const SPEEDTEST_FILES: ReadonlySet<string> = new Set([
  ...RUN_TABLES.flatMap((t) => (t.arrow ? [`${t.name}.csv`, `${t.name}.arrow`] : [`${t.name}.csv`])),
  ...RUN_OTHER_FILES,
]);

/** A column's type, without its modifiers. */
export const columnType = (spec: ColumnSpec): ColumnType => (typeof spec === 'string' ? spec : spec.type);
