/**
 * The benchmark page's main thread: starts the worker, counts main-thread long tasks (> 50 ms) while the worker
 * loads and generates, and exposes `benchPage` for Playwright to call. Typed against the Node lib (see
 * bench.worker.ts), hence the local declarations of the browser globals it uses.
 */
import * as Comlink from 'comlink';
import type { BenchWorkerApi, BrowserProbeJob } from './browser-jobs.ts';

interface WorkerLike {
  terminate(): void;
}
declare const Worker: new (url: URL, options: { type: 'module'; name: string }) => WorkerLike;

interface LongTaskEntry {
  startTime: number;
  duration: number;
}
interface PageScope {
  PerformanceObserver: new (callback: (list: { getEntries(): LongTaskEntry[] }) => void) => {
    observe(options: { type: string; buffered: boolean }): void;
  };
  crossOriginIsolated: boolean;
  performance: { memory?: { usedJSHeapSize: number; totalJSHeapSize: number; jsHeapSizeLimit: number } };
  benchPage: BenchPage;
}
const scope = globalThis as unknown as PageScope;

const longTasks: LongTaskEntry[] = [];
new scope.PerformanceObserver((list) => longTasks.push(...list.getEntries())).observe({ type: 'longtask', buffered: true });

export interface LongTaskCount {
  count: number;
  totalMs: number;
  longestMs: number;
}

function longTasksBetween(from: number, to: number): LongTaskCount {
  const inside = longTasks.filter((task) => task.startTime >= from && task.startTime < to);
  return {
    count: inside.length,
    totalMs: inside.reduce((sum, task) => sum + task.duration, 0),
    longestMs: inside.reduce((longest, task) => Math.max(longest, task.duration), 0),
  };
}

/** Runs `work` and counts the long tasks the main thread had meanwhile. */
async function watched<T>(work: () => Promise<T>): Promise<{ result: T; longTasks: LongTaskCount }> {
  const from = performance.now();
  const result = await work();
  // Long-task entries are delivered asynchronously; give the observer a moment to catch up.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { result, longTasks: longTasksBetween(from, performance.now()) };
}

let worker: WorkerLike | null = null;
let remote: Comlink.Remote<BenchWorkerApi> | null = null;

function api(): Comlink.Remote<BenchWorkerApi> {
  if (!remote) {
    worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module', name: 'bench' });
    remote = Comlink.wrap<BenchWorkerApi>(worker as unknown as Comlink.Endpoint);
  }
  return remote;
}

function heap() {
  const memory = scope.performance.memory;
  return memory ? { usedJSHeapSize: memory.usedJSHeapSize, totalJSHeapSize: memory.totalJSHeapSize } : null;
}

const benchPage = {
  crossOriginIsolated: () => scope.crossOriginIsolated,
  environment: () => api().environment(),
  /** Load once and rewrite each image in turn, with the long tasks of the load and of each rewrite. */
  async probe(job: BrowserProbeJob) {
    const load = await watched(() => api().load(job));
    const rewrites = [];
    for (const url of job.imageUrls) rewrites.push(await watched(() => api().rewrite(url)));
    const pageHeap = heap();
    await api().unload();
    return { load, rewrites, pageHeap };
  },
  /** Progress lines go to the console, where the bench script picks them up. */
  suite: (job: Parameters<BenchWorkerApi['suite']>[0]) => api().suite(job, Comlink.proxy((line: string) => console.info(`[bench] ${line}`))),
  official: (job: Parameters<BenchWorkerApi['official']>[0]) => api().official(job),
  constrained: (job: Parameters<BenchWorkerApi['constrained']>[0]) =>
    api().constrained(job, Comlink.proxy((line: string) => console.info(`[bench] ${line}`))),
  bandwidth: (megabytes: number, repeats: number) => api().bandwidth(megabytes, repeats),
  ocr: (job: Parameters<BenchWorkerApi['ocr']>[0]) => api().ocr(job, Comlink.proxy((line: string) => console.info(`[bench] ${line}`))),
  rawSweep: (job: Parameters<BenchWorkerApi['rawSweep']>[0]) => api().rawSweep(job, Comlink.proxy((line: string) => console.info(`[bench] ${line}`))),
  rewrites: (job: Parameters<BenchWorkerApi['rewrites']>[0]) => api().rewrites(job, Comlink.proxy((line: string) => console.info(`[bench] ${line}`))),
  /** A fresh worker (and wasm heap) for the next job. */
  reset() {
    if (remote) remote[Comlink.releaseProxy]();
    worker?.terminate();
    worker = null;
    remote = null;
  },
};
export type BenchPage = typeof benchPage;
scope.benchPage = benchPage;
