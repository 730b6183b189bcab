/**
 * A real S3 server for the tests: Ceph's RADOS Gateway started by scripts/s3-gateway.sh (one
 * monitor, one memstore OSD, one radosgw on free loopback ports), once per test file, stopped by
 * pid at the end. With PIPELINE_TEST_S3_ENDPOINT (and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)
 * set, that server is used instead. A gateway that cannot start fails the test: never a skip.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ROOT } from '../helpers.js';

const exec = promisify(execFile);

export interface Gateway {
  endpoint: string;
  /** What a CLI child needs in its environment: endpoint, keys, region. */
  env: Record<string, string>;
  /** Keys of a second user, without rights on the first one's buckets (access-denied tests), when known. */
  other?: { accessKeyId: string; secretAccessKey: string };
  /** A client of the test user, for setting up and checking buckets. */
  client: S3Client;
  /** Root folder of the gateway's state (pids, logs), when this file started it. */
  dir?: string;
  stop(): Promise<void>;
  /** Kills the radosgw process alone (-9): the endpoint is down, the objects are kept. Only on a gateway this file started. */
  killEndpoint(): Promise<void>;
  startEndpoint(): Promise<void>;
}

function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

/**
 * scripts/s3-gateway.sh in a new folder, tried twice. The script itself draws its ports outside the
 * ephemeral range and starts again on new ones when a daemon could not bind (another suite drew
 * the same port); a failure it reports (one line) is tried once more from a clean folder.
 */
async function startScript(): Promise<string> {
  let failure: Error | undefined;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'pipeline-s3-'));
    try {
      await exec('bash', [join(ROOT, 'scripts', 's3-gateway.sh'), 'start', dir], { maxBuffer: 1 << 24 });
      return dir;
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      failure = new Error(`the test S3 gateway (scripts/s3-gateway.sh) did not start (attempt ${attempt} of 2): ${e.stderr?.trim().split('\n').slice(-5).join(' | ') || e.message}`, { cause: error });
      await rm(dir, { recursive: true, force: true });
    }
  }
  throw failure;
}

/** Starts a gateway (about 15 s), or uses PIPELINE_TEST_S3_ENDPOINT's; sets this process's AWS_* variables for the SDK's default chain. */
export async function startGateway(): Promise<Gateway> {
  let values: Record<string, string>;
  let dir: string | undefined;
  if (process.env.PIPELINE_TEST_S3_ENDPOINT) {
    values = {
      AWS_ENDPOINT_URL: process.env.PIPELINE_TEST_S3_ENDPOINT,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? '',
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? '',
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      ...(process.env.PIPELINE_TEST_S3_OTHER_ACCESS_KEY_ID ? { PIPELINE_TEST_S3_OTHER_ACCESS_KEY_ID: process.env.PIPELINE_TEST_S3_OTHER_ACCESS_KEY_ID, PIPELINE_TEST_S3_OTHER_SECRET_ACCESS_KEY: process.env.PIPELINE_TEST_S3_OTHER_SECRET_ACCESS_KEY ?? '' } : {}),
    };
  } else {
    dir = await startScript();
    values = parseEnv(await readFile(join(dir, 'env'), 'utf8'));
  }
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL: values.AWS_ENDPOINT_URL,
    AWS_ACCESS_KEY_ID: values.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: values.AWS_SECRET_ACCESS_KEY,
    AWS_REGION: values.AWS_REGION ?? 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  Object.assign(process.env, env);
  const client = new S3Client({ endpoint: env.AWS_ENDPOINT_URL, forcePathStyle: true, region: env.AWS_REGION, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  const started = dir;
  return {
    endpoint: env.AWS_ENDPOINT_URL,
    env,
    other: values.PIPELINE_TEST_S3_OTHER_ACCESS_KEY_ID
      ? { accessKeyId: values.PIPELINE_TEST_S3_OTHER_ACCESS_KEY_ID, secretAccessKey: values.PIPELINE_TEST_S3_OTHER_SECRET_ACCESS_KEY }
      : undefined,
    client,
    dir,
    async killEndpoint() {
      if (!started) throw new Error('killEndpoint: only on a gateway this test file started (PIPELINE_TEST_S3_ENDPOINT is set)');
      await exec('bash', [join(ROOT, 'scripts', 's3-gateway.sh'), 'kill-rgw', started]);
    },
    async startEndpoint() {
      if (!started) throw new Error('startEndpoint: only on a gateway this test file started');
      await exec('bash', [join(ROOT, 'scripts', 's3-gateway.sh'), 'start-rgw', started]);
    },
    async stop() {
      client.destroy();
      if (started) {
        await exec('bash', [join(ROOT, 'scripts', 's3-gateway.sh'), 'stop', started]).catch(() => undefined);
        await rm(started, { recursive: true, force: true });
      }
    },
  };
}

/** A new, empty bucket for one test: tests never see each other's objects. */
export async function freshBucket(gateway: Gateway, label = 't'): Promise<string> {
  const name = `${label}-${randomBytes(5).toString('hex')}`;
  await gateway.client.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}
