#!/usr/bin/env node
// The built CLI (npm run build writes dist/). Kept as plain JS so `npm link` / npx need no loader.
import { main } from '../dist/src/cli/main.js';

const code = await main(process.argv.slice(2));
// Exit once stdout is flushed: a library's leftover timer or socket (Redis clients) must not keep
// a finished command alive.
process.stdout.write('', () => process.exit(code));
