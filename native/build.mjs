/* global process, console */
// Builds our addon (native/scaled-jpeg.c and png-decode.c, binding.gyp) with node-gyp and places it
// beside the compiled module that loads it (dist/src/image/scaled_jpeg.node), so the package's
// tarball carries it. npm runs no install scripts here, hence this step in `npm run build`.
// Node's own headers are used (the folder above the running node holds include/node, in Debian's
// package and in nodejs.org's tarballs alike): node-gyp would otherwise download them.
// The addon uses Node-API only: one build loads on every Node version package.json allows.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prefix = join(dirname(process.execPath), '..');
const nodedir = existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
const gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
try {
  execFileSync(process.execPath, [gyp, 'rebuild', '--silent', ...nodedir], { cwd: root, stdio: 'inherit' });
} catch {
  console.error('build:native: the scaled-JPEG addon did not build; install a C compiler, make, python3, libjpeg62-turbo-dev and libdeflate-dev (README: Setup), or see the lines above');
  process.exit(1);
}
const target = join(root, 'dist', 'src', 'image');
mkdirSync(target, { recursive: true });
copyFileSync(join(root, 'build', 'Release', 'scaled_jpeg.node'), join(target, 'scaled_jpeg.node'));
