/**
 * Output quality of a convert run beside Pillow's (bench/quality.py): every `every`-th stored image
 * is written out as a JPEG file with its source path, and the Python script compares both against
 * Pillow's uncompressed LANCZOS fit of the source.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeExample } from '../src/tfrecord/example.js';
import { readRecordsFromFiles } from '../src/tfrecord/reader.js';
import { PROJECT_ROOT } from '../src/version.js';

const exec = promisify(execFile);

export interface Quality {
  images: number;
  reference: string;
  oursPsnrDb: number;
  pillowPsnrDb: number;
  differenceDb: number;
  oursSsim: number;
  pillowSsim: number;
}

export async function measureQuality(imagesDir: string, convertOut: string, size: number, quality: number, every = 1): Promise<Quality> {
  const dir = await mkdtemp(join(tmpdir(), 'pipeline-quality-'));
  try {
    const shards = (await readdir(convertOut)).filter((n) => n.endsWith('.tfrecord')).sort().map((n) => join(convertOut, n));
    const rels: string[] = [];
    let index = 0;
    for await (const record of readRecordsFromFiles(shards)) {
      if (index++ % every !== 0) continue;
      const example = decodeExample(record.data);
      const feature = (name: string) => (example[name] as { bytes: Uint8Array[] }).bytes[0];
      await writeFile(join(dir, `${rels.length}.jpg`), feature('image'));
      rels.push(Buffer.from(feature('filename')).toString('utf8'));
    }
    await writeFile(join(dir, 'list.txt'), rels.join('\n') + '\n');
    const { stdout } = await exec('/usr/bin/python3', [join(PROJECT_ROOT, 'bench', 'quality.py'), imagesDir, dir, String(size), String(quality)], { maxBuffer: 1 << 20 });
    return JSON.parse(stdout) as Quality;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
