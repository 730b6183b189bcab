/** `pipeline report`'s options. */
import { defineOptions, type OptionsInput, type OptionsOutput } from './define.js';
import { path } from './values.js';

export const reportOptions = defineOptions('report', {
  run: { schema: path, expected: 'a run folder written by pipeline speedtest', help: 'a run folder written by pipeline speedtest', argument: '<run-dir>' },
  out: { schema: path.optional(), expected: 'a folder', help: 'where to write', value: '<dir>', defaultText: 'the run folder' },
});

export type ReportOptionsInput = OptionsInput<typeof reportOptions>;
export type ReportSettings = OptionsOutput<typeof reportOptions>;
