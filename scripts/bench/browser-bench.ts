/**
 * The browser half of `npm run bench`: builds the benchmark page (browser/) with Vite, serves it with the app's
 * cross-origin-isolation headers next to models/, the onnxruntime-web files and the bench images, and drives it in
 * headless Chromium. Memory is the peak resident size of the browser's renderer processes, sampled from /proc.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { build } from 'vite';
import { locateChromium, QUIET_CHROMIUM_ARGS } from '../lib/chromium.ts';
import { CROSS_ORIGIN_ISOLATION_HEADERS } from '../lib/security-headers.ts';
import { ocrAssetsFolder } from '../lib/ocr-assets.ts';
import { sendModelFile } from '../lib/send-model-file.ts';
import { MODELS_DIR, REPO_ROOT } from './bench-paths.ts';
import type { BenchPage } from './browser/page.ts';
import { defined } from './defined.ts';

const PAGE_SOURCE = `${REPO_ROOT}scripts/bench/browser`;
/** One build folder per run: two benchmarks at once (a CI test next to a full run) must not rebuild each other's page. */
const PAGE_BUILD_ROOT = `${REPO_ROOT}node_modules/.cache/vlmguard-bench`;
const ORT_DIST = `${REPO_ROOT}node_modules/onnxruntime-web/dist`;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export interface BrowserSession {
  page(): Promise<Page>;
  /** Runs `work` while sampling the renderers' resident memory; returns its result and the peak in MB. */
  sampled<T>(work: () => Promise<T>): Promise<{ result: T; peakRendererMB: number }>;
  imageUrl(path: string): string;
  /** The URL of a file of the OCR test set's folder (served at /ocr-test-set/). */
  ocrTestImageUrl(file: string): string;
  chromiumVersion: string;
  close(): Promise<void>;
}

/**
 * Asks Chromium for the machine's GPU through Vulkan (Linux), past the blocklist: what `--gpu` needs on a machine with
 * a real GPU. Without one Chromium offers no adapter, or SwiftShader, which the GPU rows refuse to time.
 */
const WEBGPU_CHROMIUM_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=vulkan', '--ignore-gpu-blocklist'];

/**
 * `ocrTestSetDir`: the OCR test set's folder, served at /ocr-test-set/ beside the OCR files at /ocr/ (null: neither).
 * `webgpu`: start Chromium with WebGPU on the real GPU (WEBGPU_CHROMIUM_ARGS).
 */
export async function startBrowserSession(
  imageDir: string,
  log: (line: string) => void,
  ocrTestSetDir: string | null = null,
  webgpu = false,
): Promise<BrowserSession> {
  log('building the benchmark page (vite build)…');
  const pageBuild = `${PAGE_BUILD_ROOT}/page-${process.pid}`;
  await build({
    configFile: false,
    root: PAGE_SOURCE,
    logLevel: 'warn',
    worker: { format: 'es' },
    build: { outDir: pageBuild, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096, reportCompressedSize: false },
  });
  const server = await serve({ imageDir, pageBuild, ocrTestSetDir });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const executablePath = locateChromium();
  if (!executablePath) throw new Error('no Chromium found (set CHROMIUM_PATH)');
  const browserServer = await chromium.launchServer({ executablePath, args: [...QUIET_CHROMIUM_ARGS, ...(webgpu ? WEBGPU_CHROMIUM_ARGS : [])] });
  const browser: Browser = await chromium.connect(browserServer.wsEndpoint());
  const browserPid = defined(browserServer.process().pid, 'the browser process id');

  return {
    chromiumVersion: browser.version(),
    async page() {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error' || message.text().startsWith('[bench] ')) log(`  [chromium] ${message.text().replace(/^\[bench\] /, '')}`);
      });
      page.on('pageerror', (error) => log(`  [chromium] ${error.message}`));
      page.on('request', (request) => {
        if (!request.url().startsWith(origin) && !request.url().startsWith('data:') && !request.url().startsWith('blob:')) {
          log(`  [chromium] unexpected request to ${request.url()}`);
        }
      });
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => 'benchPage' in globalThis);
      return page;
    },
    async sampled(work) {
      let peak = 0;
      let sampling = true;
      const loop = (async () => {
        while (sampling) {
          peak = Math.max(peak, await rendererRssBytes(browserPid));
          await new Promise((done) => setTimeout(done, 200));
        }
      })();
      try {
        const result = await work();
        return { result, peakRendererMB: peak / 2 ** 20 };
      } finally {
        sampling = false;
        await loop;
      }
    },
    imageUrl: (path) => `${origin}/bench-images/${path.split(sep).at(-1)}`,
    ocrTestImageUrl: (file) => `${origin}/ocr-test-set/${file.split('/').map(encodeURIComponent).join('/')}`,
    async close() {
      await browser.close();
      await browserServer.close();
      await new Promise((done) => server.close(done));
      await rm(pageBuild, { recursive: true, force: true });
    },
  };
}

/** Calls a method of the page's `benchPage` object with one JSON argument. */
export function callPage<K extends keyof BenchPage>(page: Page, method: K, ...args: Parameters<BenchPage[K]>): Promise<Awaited<ReturnType<BenchPage[K]>>> {
  return page.evaluate(
    ([name, callArgs]) => {
      const bench = (globalThis as unknown as { benchPage: Record<string, (...a: unknown[]) => unknown> }).benchPage;
      const method = bench[name as string];
      if (!method) throw new Error(`benchPage has no ${String(name)}`);
      return method(...(callArgs as unknown[]));
    },
    [method, args] as const,
  ) as Promise<Awaited<ReturnType<BenchPage[K]>>>;
}

interface ServedFolders {
  imageDir: string;
  pageBuild: string;
  ocrTestSetDir: string | null;
}

function serve(folders: ServedFolders): Promise<Server> {
  const server = createServer((req, res) => {
    handle(req, res, folders).catch((error: unknown) => res.destroy(error instanceof Error ? error : new Error(String(error))));
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

async function handle(req: IncomingMessage, res: ServerResponse, { imageDir, pageBuild, ocrTestSetDir }: ServedFolders): Promise<void> {
  for (const [name, value] of Object.entries(CROSS_ORIGIN_ISOLATION_HEADERS)) res.setHeader(name, value);
  const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://bench').pathname);
  if (pathname.startsWith('/models/')) return sendModelFile(req, res, MODELS_DIR, pathname.slice('/models/'.length));
  if (pathname.startsWith('/ort/')) return sendStatic(res, ORT_DIST, pathname.slice('/ort/'.length));
  if (pathname.startsWith('/bench-images/')) return sendStatic(res, imageDir, pathname.slice('/bench-images/'.length));
  // The OCR files straight from the installed package, as the app's build copies them under its own origin.
  if (ocrTestSetDir !== null && pathname.startsWith('/ocr/')) return sendStatic(res, ocrAssetsFolder(), pathname.slice('/ocr/'.length));
  if (ocrTestSetDir !== null && pathname.startsWith('/ocr-test-set/')) return sendStatic(res, ocrTestSetDir, pathname.slice('/ocr-test-set/'.length));
  return sendStatic(res, pageBuild, pathname === '/' ? 'index.html' : pathname.slice(1));
}

async function sendStatic(res: ServerResponse, root: string, relativePath: string): Promise<void> {
  const path = resolve(root, relativePath);
  const info = path.startsWith(resolve(root) + sep) ? await stat(path).catch(() => null) : null;
  if (!info?.isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    return void res.end('Not found');
  }
  res.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream', 'Content-Length': info.size });
  createReadStream(path).pipe(res);
}

/** Sum of VmRSS over the renderer processes below the browser process (Linux /proc; 0 elsewhere). */
async function rendererRssBytes(browserPid: number): Promise<number> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const parents = new Map<number, number>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The command name is in parentheses and may contain spaces; the parent pid follows the state field.
    const afterName = status.slice(status.lastIndexOf(')') + 2).split(' ');
    if (afterName.length > 1) parents.set(Number(entry), Number(afterName[1]));
  }
  const descends = (pid: number): boolean => {
    for (let current = pid, hops = 0; hops < 16; hops++) {
      const parent = parents.get(current);
      if (parent === undefined || parent <= 1) return false;
      if (parent === browserPid) return true;
      current = parent;
    }
    return false;
  };
  let total = 0;
  for (const pid of parents.keys()) {
    if (!descends(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes('--type=renderer')) continue;
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    if (match) total += Number(match[1]) * 1024;
  }
  return total;
}
