/**
 * npx tsx scripts/swiftshader-reload-check.ts: does a raw onnxruntime-web WebGPU session slow down after a page
 * reload in headless Chromium on SwiftShader, as the app's generations do (README, Performance, "Open problem")?
 * Runs the tiny model's decoder (npm run models:tiny) alone, without transformers.js, in a module worker like the
 * app's: a 32-step greedy-shaped loop with the KV cache fed back, once per page load, for a first load and six reloads,
 * in fp32 and q4 (MatMulNBits), the KV outputs kept in GPU buffers as transformers.js keeps them. Prints a table.
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright';
import { QUIET_CHROMIUM_ARGS, requireChromium } from './lib/chromium.ts';
import { MODELS_DIR, REPO_ROOT } from './bench/bench-paths.ts';

const ORT_DIST = join(REPO_ROOT, 'node_modules/onnxruntime-web/dist');
const MODEL_ONNX = join(MODELS_DIR, 'test/tiny-smolvlm/onnx');
const STEPS = 32;
const RELOADS = 6;

interface StepTimes {
  adapter: string;
  createdMs: number;
  medianStepMs: number;
  tokensPerSecond: number;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>reload check</title><script type="module">
window.runInWorker = (file) => new Promise((resolve, reject) => {
  const worker = new Worker('/worker.mjs', { type: 'module' });
  worker.onmessage = (event) => { worker.terminate(); event.data.error ? reject(new Error(event.data.error)) : resolve(event.data); };
  worker.onerror = (event) => reject(new Error(event.message));
  worker.postMessage({ file, steps: ${STEPS} });
});
</script>`;

// The tiny SmolVLM decoder's shape (scripts/tiny-model): 2 layers, 2 KV heads of 8, hidden 32.
const WORKER = `import * as ort from '/ort/ort.webgpu.bundle.min.mjs';
ort.env.wasm.wasmPaths = '/ort/';
const LAYERS = 2, KV_HEADS = 2, HEAD_DIM = 8, HIDDEN = 32;
const names = (prefix) => Array.from({ length: LAYERS }, (_, layer) => ['key', 'value'].map((kind) => prefix + '.' + layer + '.' + kind)).flat();
self.onmessage = async ({ data: { file, steps } }) => {
  try {
    const adapter = await navigator.gpu.requestAdapter();
    const started = performance.now();
    const session = await ort.InferenceSession.create('/onnx/' + file, {
      executionProviders: ['webgpu'],
      preferredOutputLocation: Object.fromEntries(names('present').map((name) => [name, 'gpu-buffer'])),
    });
    const createdMs = performance.now() - started;
    let past = Object.fromEntries(names('past_key_values').map((name) => [name, new ort.Tensor('float32', new Float32Array(0), [1, KV_HEADS, 0, HEAD_DIM])]));
    const times = [];
    for (let step = 0; step < steps; step++) {
      const stepStarted = performance.now();
      const outputs = await session.run({
        inputs_embeds: new ort.Tensor('float32', new Float32Array(HIDDEN).fill(0.01 * step), [1, 1, HIDDEN]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(step + 1).fill(1n), [1, step + 1]),
        position_ids: new ort.Tensor('int64', BigInt64Array.from([BigInt(step)]), [1, 1]),
        ...past,
      });
      await outputs.logits.getData();
      for (const tensor of Object.values(past)) if (tensor.location === 'gpu-buffer') tensor.dispose();
      past = Object.fromEntries(names('present').map((name, index) => [names('past_key_values')[index], outputs[name]]));
      times.push(performance.now() - stepStarted);
    }
    await session.release();
    const decode = times.slice(1);
    const sorted = [...decode].sort((a, b) => a - b);
    self.postMessage({
      adapter: adapter ? adapter.info.vendor + ' ' + adapter.info.architecture : 'none',
      createdMs,
      medianStepMs: sorted[Math.floor(sorted.length / 2)],
      tokensPerSecond: (1000 * decode.length) / decode.reduce((sum, ms) => sum + ms, 0),
    });
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};`;

const JAVASCRIPT = 'text/javascript';
const TYPES: Record<string, string> = { mjs: JAVASCRIPT, wasm: 'application/wasm', onnx: 'application/octet-stream' };

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://check').pathname;
  const send = (body: string | Buffer, type: string) => {
    res.writeHead(200, { 'Content-Type': type, 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
    res.end(body);
  };
  if (path === '/') return send(PAGE, 'text/html');
  if (path === '/worker.mjs') return send(WORKER, JAVASCRIPT);
  const [, folder, file] = /^\/(ort|onnx)\/([\w.-]+)$/.exec(path) ?? [];
  if (!folder || !file) {
    res.writeHead(404).end();
    return;
  }
  readFile(join(folder === 'ort' ? ORT_DIST : MODEL_ONNX, file)).then(
    (body) => send(body, TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream'),
    () => res.writeHead(404).end(),
  );
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const browser = await chromium.launch({ executablePath: requireChromium(), args: [...QUIET_CHROMIUM_ARGS, '--enable-unsafe-webgpu'] });
const lines = ['| decoder | load | adapter | session created | median decode step | tokens/s |', '|---|---|---|---|---|---|'];
try {
  for (const [label, file] of [['fp32', 'decoder_model_merged.onnx'], ['q4', 'decoder_model_merged_q4.onnx']] as const) {
    const page = await browser.newPage();
    await page.goto(origin);
    for (let round = 0; round <= RELOADS; round++) {
      if (round > 0) await page.reload();
      const result = await page.evaluate((name) => (globalThis as unknown as { runInWorker: (file: string) => Promise<StepTimes> }).runInWorker(name), file);
      const load = round === 0 ? 'first' : `reload ${round}`;
      lines.push(
        `| ${label} | ${load} | ${result.adapter} | ${result.createdMs.toFixed(0)} ms | ${result.medianStepMs.toFixed(1)} ms | ${result.tokensPerSecond.toFixed(1)} |`,
      );
    }
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
console.log(lines.join('\n'));
