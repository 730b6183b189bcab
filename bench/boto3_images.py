#!/usr/bin/env python3
"""The peer of bench/object-storage.ts: every object under a prefix fetched with boto3 on a thread
pool (32 threads, as a typical Python loader would), bodies read whole. Prints JSON on stdout: objects/s and the CPU seconds the
process spent (user + system, all threads) per 1,000 GETs.

usage: boto3_images.py ENDPOINT BUCKET PREFIX [THREADS]   (keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)
"""
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config


def main():
    endpoint, bucket, prefix = sys.argv[1:4]
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 32
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, max_pool_connections=threads, retries={"max_attempts": 5, "mode": "standard"}),
    )
    keys = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(o["Key"] for o in page.get("Contents", []))

    def fetch(key):
        return len(client.get_object(Bucket=bucket, Key=key)["Body"].read())

    start = time.perf_counter()
    # CPU of the whole process (every thread), user + system: the fair figure on a shared machine.
    cpu_start = time.process_time()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        total = sum(pool.map(fetch, keys))
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    print(json.dumps({
        "objects": len(keys), "bytes": total, "seconds": seconds, "objects_per_second": len(keys) / seconds, "threads": threads,
        "cpu_seconds": cpu_seconds, "cpu_seconds_per_1000_gets": cpu_seconds / len(keys) * 1000,
    }))


if __name__ == "__main__":
    main()
