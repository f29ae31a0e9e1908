import * as Comlink from 'comlink';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import { VlmEngine } from '../engine/vlm-engine.ts';
import { probeBrowserCapabilities } from './probe-capabilities.ts';

const engine = new VlmEngine({
  probeCapabilities: probeBrowserCapabilities,
  ortWasmFiles: { wasm: absolute(ortWasmUrl), mjs: absolute(ortMjsUrl) },
});

Comlink.expose(engine);

function absolute(url: string): string {
  return new URL(url, self.location.href).href;
}
