/**
 * The next shard object's GET sent while the current one is read: on a bucket each shard opens
 * with a time to first byte (20 ms to a cloud region, more under load), which a reader going
 * shard after shard otherwise waits for once per shard. One GET ahead is enough: a shard takes
 * longer to stream than its successor takes to answer.
 */
import { openObjectBytes, type ObjectBytes } from './object-records.js';
import { isStorageUrl } from './url.js';

export class ObjectPrefetch {
  private ahead: { path: string; opened: Promise<ObjectBytes> } | undefined;

  /** The GET sent for `path` (whole object), if `prefetch(path)` was the last call; else undefined. */
  take(path: string): Promise<ObjectBytes> | undefined {
    const ahead = this.ahead;
    this.ahead = undefined;
    if (ahead?.path === path) return ahead.opened;
    if (ahead) discard(ahead.opened);
    return undefined;
  }

  /** Sends the GET of `path` (an object URL; a local path is read as it comes). */
  prefetch(path: string | undefined): void {
    if (this.ahead) discard(this.ahead.opened);
    this.ahead = undefined;
    if (path === undefined || !isStorageUrl(path)) return;
    const opened = openObjectBytes(path, { start: 0 }, undefined);
    // Its error (a missing object...) is the reader's to report, when the shard is read: not an unhandled rejection now.
    opened.catch(() => undefined);
    this.ahead = { path, opened };
  }

  /** A GET not needed after all (the pass stopped): its response closed, its socket freed. */
  close(): void {
    if (this.ahead) discard(this.ahead.opened);
    this.ahead = undefined;
  }
}

function discard(opened: Promise<ObjectBytes>): void {
  // A generator not yet started would skip its `finally` on return(): one step first, so the response is destroyed.
  opened.then((o) => o.chunks.next().finally(() => o.chunks.return(undefined)), () => undefined).catch(() => undefined);
}
