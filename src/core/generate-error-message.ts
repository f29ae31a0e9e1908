import type { Backend } from './runtime-capabilities.ts';

/** Seen after Browser.crashGpuProcess: ORT's WebGPU EP reports the dead instance when it next allocates. */
const GPU_LOST = /device (was |is )?lost|GPUDevice|lost the GPU|context lost|DXGI_ERROR|mapAsync|Instance reference no longer exists/i;
const OUT_OF_MEMORY = /out of memory|OOM|allocation failed|failed to allocate|RangeError: Array buffer allocation/i;

/** Turns a failure during a rewrite into what happened and what to do next. */
export function describeGenerateError(error: { message: string }, backend: Backend | null): string {
  if (backend === 'webgpu' && GPU_LOST.test(error.message)) {
    return 'The GPU stopped responding (device lost), so the rewrite was cut short. Press Rewrite to try again: the model reloads, on WASM if the GPU stays unavailable. Your image and prompt are kept.';
  }
  if (OUT_OF_MEMORY.test(error.message)) {
    return 'The model ran out of memory. Try a smaller image, a lower output limit, or a smaller model. Your image and prompt are kept.';
  }
  const detail = error.message.trim().replace(/[.!?]$/, '');
  return `The rewrite failed: ${detail}. Your image and prompt are kept; press Rewrite to try again.`;
}
