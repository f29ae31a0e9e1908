/** What the runtime offers, as observed by a probe (see src/core/capability-probe.ts, run in the page and in the worker). */
export type RuntimeCapabilities =
  | { runtime: 'node' }
  | {
      runtime: 'browser';
      webgpu: WebGpuAvailability;
      crossOriginIsolated: boolean;
      hardwareConcurrency: number;
      /** navigator.deviceMemory: Chromium only, rounded and capped at 8. */
      deviceMemoryGB?: number;
    };

export type WebGpuAvailability =
  | { available: false; reason: string }
  | { available: true; shaderF16: boolean; adapterDescription: string };

export type Backend = 'webgpu' | 'wasm' | 'cpu';

export type BackendPreference = 'auto' | 'wasm';
