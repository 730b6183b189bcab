#!/usr/bin/env node
// The built CLI (npm run build writes dist/). Kept as plain JS so `npm link` / npx need no loader.
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
