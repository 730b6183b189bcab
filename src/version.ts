import { existsSync, readFileSync } from 'node:fs';

/** The project's root folder, from src/ (run with tsx) or dist/src/ (built). */
export const PROJECT_ROOT: string = ['../', '../../'].map((up) => new URL(up, import.meta.url).pathname).find((dir) => existsSync(dir + 'package.json'))!;

export const VERSION: string = JSON.parse(readFileSync(PROJECT_ROOT + 'package.json', 'utf8')).version;
