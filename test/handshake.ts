/**
 * Handshakes for tests that stop a run midway: the CLI started with PIPELINE_TEST_HOLD_IMAGE=N
 * (src/pool/test-hold.ts) holds each worker thread at its N-th image and says so on stderr; the
 * test waits for that line, never for a length of time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './helpers.js';

export interface HeldRun {
  child: ChildProcess;
  /** Everything the command wrote on stderr so far. */
  stderr(): string;
  /** Resolves once a worker thread holds at its N-th image (rejects if the command ends first). */
  held: Promise<void>;
  /** The exit code (null after a signal). */
  exit: Promise<number | null>;
}

/** `pipeline <args>` with every worker thread held at its `holdAt`-th image. */
export function startHeld(args: string[], holdAt: number): HeldRun {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'pipeline.js'), ...args], {
    env: { ...process.env, PIPELINE_TEST_HOLD_IMAGE: String(holdAt) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let text = '';
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const held = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      text += d;
      if (text.includes(`pipeline: test hold: image ${holdAt}\n`)) resolve();
    });
    void exit.then((code) => reject(new Error(`the command ended (exit ${code}) before holding image ${holdAt}: ${text}`)));
  });
  return { child, stderr: () => text, held, exit };
}
