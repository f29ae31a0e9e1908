import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface BandwidthMeasurement {
  gbPerSecond: number;
  method: string;
}

/**
 * Copy bandwidth of main memory: every core copies its own buffer, far larger than the caches, at the same time;
 * read plus write bytes over the slowest thread's time, best of `repeats`. Decoding reads weights with the same
 * cores, so this is the ceiling a memory-bound decoder could reach.
 */
export async function measureMemoryBandwidth(megabytesPerThread: number, repeats: number): Promise<BandwidthMeasurement> {
  const threads = availableParallelism();
  const start = new Int32Array(new SharedArrayBuffer(4));
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { bytes, repeats, start } = workerData;
    const source = new Float64Array(bytes / 8).fill(1);
    const target = new Float64Array(bytes / 8);
    target.set(source);
    parentPort.postMessage('ready');
    Atomics.wait(start, 0, 0);
    const times = [];
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      target.set(source);
      times.push(performance.now() - t);
    }
    parentPort.postMessage(times);
  `;
  const bytes = megabytesPerThread * 2 ** 20;
  const workers = Array.from({ length: threads }, () => new Worker(code, { eval: true, workerData: { bytes, repeats, start } }));
  const results = workers.map(
    (worker) =>
      new Promise<number[]>((resolve, reject) => {
        worker.on('message', (message: unknown) => {
          if (Array.isArray(message)) resolve(message as number[]);
        });
        worker.on('error', reject);
      }),
  );
  await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('message', resolve))));
  Atomics.store(start, 0, 1);
  Atomics.notify(start, 0);
  const times = await Promise.all(results);
  await Promise.all(workers.map((worker) => worker.terminate()));
  let best = Infinity;
  for (let i = 0; i < repeats; i++) best = Math.min(best, Math.max(...times.map((perThread) => perThread[i] ?? Infinity)));
  return {
    gbPerSecond: (2 * bytes * threads) / (best / 1000) / 1e9,
    method: `${threads} threads each copying ${megabytesPerThread} MiB (read + write), best of ${repeats}`,
  };
}
