/** `pipeline inspect`'s options. */
import { z } from 'zod';
import { storageOptionSpecs } from './storage.js';
import { defineOptions, type OptionsInput, type OptionsOutput } from './define.js';
import { fromText, nonNegativeInt, path } from './values.js';

export const inspectOptions = defineOptions('inspect', {
  targets: { schema: z.array(path).min(1).optional(), expected: 'TFRecord files, folders or globs', help: 'TFRecord files, folders (shards found by content) or globs', argument: '<file-or-dir...>' },
  /** One target (library callers): the same as `targets: [target]`. */
  target: { schema: path.optional(), expected: 'a TFRecord file, folder or glob', help: 'a TFRecord file, folder or glob', cli: false },
  split: { schema: z.string().min(1).optional(), expected: 'a split name', help: 'only the shards of this split (TFDS / TF-slim names, or a convert --split folder)', value: '<name>' },
  imageKey: { schema: z.string().min(1).optional(), expected: 'a feature key', help: 'the feature holding the encoded image', value: '<key>', defaultText: 'detected' },
  labelKey: { schema: z.string().min(1).optional(), expected: 'a feature key', help: 'the feature holding the label', value: '<key>', defaultText: 'detected' },
  verify: { schema: z.boolean().default(false), expected: 'true or false', help: 'check every record\'s length and data CRC' },
  strict: { schema: z.boolean().default(false), expected: 'true or false', help: 'a feature whose type changes between records is an error (exit 3), not a note' },
  dump: { schema: nonNegativeInt.default(0), expected: 'a whole number >= 0', help: 'print the first N examples', value: '<n>', fromText: fromText.int },
  ...storageOptionSpecs,
});

export type InspectOptionsInput = OptionsInput<typeof inspectOptions>;
export type InspectSettings = OptionsOutput<typeof inspectOptions>;
