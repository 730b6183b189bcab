/**
 * The files of a convert output folder besides its shards (whose names src/convert/shard-names.ts
 * makes): declared here once for convert, for the readers that find shards by their manifest, and
 * for the list `--overwrite` removes (src/run-folder/ownership.ts).
 */
import { table } from './files.js';

/** Per-shard records of a run in progress (src/convert/manifest.ts): gone once the manifest is written. */
export const PARTS_DIR = '_parts';

/** The finished dataset's description. */
export const MANIFEST_FILE = 'manifest.json';

/** Class names, one a line, in label order. */
export const LABELS_FILE = 'labels.txt';

/** skipped.csv: the inputs that were not converted, each with the reason. */
export const SKIPPED = table('skipped', { path: 'string', reason: 'string' }, false);
export const SKIPPED_FILE = `${SKIPPED.name}.csv`;

/** Where convert records its run (hosts, alarms, run.json): a sub-folder, so the dataset's own files stay apart. */
export const CONVERT_RUN_FOLDER = 'convert-run';

/** Every file and folder of a convert run other than its shards and indexes. */
export const CONVERT_FILES: ReadonlySet<string> = new Set([MANIFEST_FILE, LABELS_FILE, SKIPPED_FILE, PARTS_DIR, CONVERT_RUN_FOLDER]);
