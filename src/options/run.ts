/** `pipeline run`'s options (the pipeline file's own schema is src/pipeline-file/schema.ts). */
import { defineOptions, type OptionsInput, type OptionsOutput } from './define.js';
import { path } from './values.js';

export const runOptions = defineOptions('run', {
  file: { schema: path, expected: 'a pipeline file (JSON)', help: 'e.g. pipelines/demo.json', argument: '<pipeline-file>' },
});

export type RunOptionsInput = OptionsInput<typeof runOptions>;
export type RunSettings = OptionsOutput<typeof runOptions>;
