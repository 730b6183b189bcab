/**
 * A handshake for tests that stop a run midway (SIGINT, SIGKILL): with PIPELINE_TEST_HOLD_IMAGE=N
 * in the environment, each worker thread holds at its N-th image, says so on stderr
 * (`pipeline: test hold: image N`), and waits there until the driver asks the tasks to stop
 * (PROGRESS_SLOTS.stop). A test waits for that line, so the run is certainly midway when it stops
 * it, never after a sleep that a loaded machine can outlast. Unset (outside tests), it costs one
 * comparison per image.
 */
import { PROGRESS_SLOTS, stopRequested, type ProgressBuffer } from './protocol.js';

/** Atomics.waitAsync (Node 16+; in TypeScript's lib from ES2024 only). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, index: number, value: number): { value: Promise<string> | string } }).waitAsync;

const HOLD_AT = Number(process.env.PIPELINE_TEST_HOLD_IMAGE ?? 0);
let images = 0;

/** Called by tasks once per image read. */
export async function holdForTest(progress: ProgressBuffer | undefined): Promise<void> {
  if (!(HOLD_AT > 0) || ++images !== HOLD_AT) return;
  process.stderr.write(`pipeline: test hold: image ${HOLD_AT}\n`);
  // Without the shared slots nothing can release the hold: it lasts until the process is killed.
  if (!progress) return new Promise<void>(() => undefined);
  const slots = new Int32Array(progress);
  while (!stopRequested(progress)) await waitAsync(slots, PROGRESS_SLOTS.stop, 0).value;
}
