#!/usr/bin/env node
// The built CLI (npm run build writes dist/). Kept as plain JS so `npm link` / npx need no loader.
import { main } from '../dist/src/cli/main.js';

const code = await main(process.argv.slice(2));
// The command has finished and decided its exit code: a signal from now on (while stdout drains)
// must not turn a printed success into 130 / 143.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(code));
// Exit once stdout is flushed: a library's leftover timer or socket (Redis clients) must not keep
// a finished command alive.
process.stdout.write('', () => process.exit(code));
