/**
 * The driver's stop request (PROGRESS_SLOTS.stop) as an AbortSignal, for a task's work that is not
 * between images: a shard's upload, which on a slow link takes seconds to minutes and would
 * otherwise finish (and be thrown away) after Ctrl-C. Woken by requestStop's Atomics.notify; the
 * wait is re-armed each second only so that `dispose` ends it.
 */
import { PipelineError } from '../errors.js';
import { PROGRESS_SLOTS, stopRequested, type ProgressBuffer } from './protocol.js';

type WaitAsync = (array: Int32Array, index: number, value: number, timeout: number) => { async: boolean; value: Promise<string> | string };

export function stopSignal(progress: ProgressBuffer): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const slots = new Int32Array(progress);
  let disposed = false;
  const arm = (): void => {
    if (disposed || controller.signal.aborted) return;
    if (stopRequested(progress)) {
      controller.abort(new PipelineError('ABORTED', 'task stopped: the run is ending'));
      return;
    }
    // Atomics.waitAsync is in Node 16+, not yet in TypeScript's ES2022 library.
    const wait = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync(slots, PROGRESS_SLOTS.stop, 0, 1000);
    if (wait.async) void (wait.value as Promise<string>).then(arm);
    else arm();
  };
  arm();
  return { signal: controller.signal, dispose: () => void (disposed = true) };
}
