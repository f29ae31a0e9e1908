import type { ModelRecord, SessionDtypes } from './model-catalog.ts';
import type { Backend, BackendPreference, RuntimeCapabilities } from './runtime-capabilities.ts';

export interface DevicePlan {
  backend: Backend;
  dtypes: SessionDtypes;
  /** WASM threads; undefined leaves the runtime's default. */
  wasmThreads?: number;
  /** Why this backend and these dtypes, in words a user can read. */
  reason: string;
}

/** onnxruntime-web's own default caps WASM threads at 4; more rarely helps on consumer CPUs. */
const MAX_WASM_THREADS = 4;

export function planDevice(
  capabilities: RuntimeCapabilities,
  model: ModelRecord,
  preference: BackendPreference = 'auto',
): DevicePlan {
  if (capabilities.runtime === 'node') {
    return { backend: 'cpu', dtypes: model.recipes.cpu, reason: 'Node: onnxruntime CPU.' };
  }
  const { webgpu } = capabilities;
  if (preference === 'auto' && webgpu.available) {
    return webgpu.shaderF16
      ? {
          backend: 'webgpu',
          dtypes: model.recipes.webgpuF16,
          reason: `WebGPU on ${webgpu.adapterDescription}, with shader-f16: half-precision weights.`,
        }
      : {
          backend: 'webgpu',
          dtypes: model.recipes.webgpu,
          reason: `WebGPU on ${webgpu.adapterDescription}; no shader-f16, so full-precision activations.`,
        };
  }
  return planWasm(capabilities, model, preference === 'wasm' ? 'you chose WASM' : webgpu.available ? '' : webgpu.reason);
}

/** The WASM plan, also used as the fallback when a WebGPU load fails. */
export function planWasm(
  capabilities: RuntimeCapabilities,
  model: ModelRecord,
  whyNotWebGpu: string,
): DevicePlan {
  const isolated = capabilities.runtime === 'browser' && capabilities.crossOriginIsolated;
  const cores = capabilities.runtime === 'browser' ? capabilities.hardwareConcurrency : 1;
  // Threads need SharedArrayBuffer, which exists only under cross-origin isolation.
  const wasmThreads = isolated ? Math.max(1, Math.min(MAX_WASM_THREADS, cores)) : 1;
  const threads = wasmThreads === 1 ? '1 thread' : `${wasmThreads} threads`;
  const isolation = isolated ? '' : ' (page is not cross-origin isolated, so no threads)';
  return {
    backend: 'wasm',
    dtypes: model.recipes.wasm,
    wasmThreads,
    reason: `WASM, ${threads}${isolation}${whyNotWebGpu ? `: ${whyNotWebGpu}` : ''}.`,
  };
}
