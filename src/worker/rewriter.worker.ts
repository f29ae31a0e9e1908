import * as Comlink from 'comlink';
import * as ort from 'onnxruntime-web/webgpu';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import { probeCapabilities } from '../core/capability-probe.ts';
import { OCR_URL_PATH } from '../core/ocr-model.ts';
import type { WorkerApi } from '../core/rewriter-api.ts';
import { ImageTextService } from '../engine/image-text-service.ts';
import { fetchOcrFiles, forgetOcrFiles } from '../engine/ocr-files.ts';
import { cancelDownloads } from '../engine/transformers-environment.ts';
import { VlmEngine } from '../engine/vlm-engine.ts';

const ortWasmFiles = { wasm: absolute(ortWasmUrl), mjs: absolute(ortMjsUrl) };
// transformers.js imports this same onnxruntime-web; OCR may create the first session, so the self-hosted files are
// set here, before either can start the runtime.
ort.env.wasm.wasmPaths = ortWasmFiles;

const engine = new VlmEngine({ probeCapabilities: () => probeCapabilities(self), ortWasmFiles });
const ocrBaseUrl = absolute(`${import.meta.env.BASE_URL}${OCR_URL_PATH}`);
const imageText = new ImageTextService({
  ort,
  fetchFiles: (onProgress) => fetchOcrFiles(ocrBaseUrl, onProgress),
  forgetFiles: () => forgetOcrFiles(ocrBaseUrl),
});

const api: WorkerApi = {
  probe: () => engine.probe(),
  load: (request, onProgress) => engine.load(request, onProgress),
  generate: (request, onStream) => engine.generate(request, onStream),
  interrupt: () => engine.interrupt(),
  cancelLoad: cancelDownloads,
  loadImageText: (request, onProgress) => imageText.loadImageText(request, onProgress),
  readImageText: (image) => imageText.readImageText(image),
};

Comlink.expose(api);

function absolute(url: string): string {
  return new URL(url, self.location.href).href;
}
