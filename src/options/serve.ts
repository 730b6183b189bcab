/** `pipeline serve`'s options. */
import { z } from 'zod';
import { defineOptions, type OptionsInput, type OptionsOutput } from './define.js';
import { fromText, intInRange } from './values.js';

export const serveOptions = defineOptions('serve', {
  port: { schema: intInRange(0, 65535).default(8080), expected: 'an integer from 0 to 65535', help: 'TCP port (0: any free one)', value: '<n>', fromText: fromText.int },
  host: { schema: z.string().min(1).default('127.0.0.1'), expected: 'an address to listen on', help: 'address to listen on (0.0.0.0 for every interface)', value: '<address>' },
});

export type ServeOptionsInput = OptionsInput<typeof serveOptions>;
export type ServeSettings = OptionsOutput<typeof serveOptions>;
