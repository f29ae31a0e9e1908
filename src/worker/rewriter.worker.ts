import * as Comlink from 'comlink';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import { probeCapabilities } from '../core/capability-probe.ts';
import type { WorkerApi } from '../core/rewriter-api.ts';
import { cancelDownloads } from '../engine/transformers-environment.ts';
import { VlmEngine } from '../engine/vlm-engine.ts';

const engine = new VlmEngine({
  probeCapabilities: () => probeCapabilities(self),
  ortWasmFiles: { wasm: absolute(ortWasmUrl), mjs: absolute(ortMjsUrl) },
});

const api: WorkerApi = {
  probe: () => engine.probe(),
  load: (request, onProgress) => engine.load(request, onProgress),
  generate: (request, onStream) => engine.generate(request, onStream),
  interrupt: () => engine.interrupt(),
  cancelLoad: cancelDownloads,
};

Comlink.expose(api);

function absolute(url: string): string {
  return new URL(url, self.location.href).href;
}
