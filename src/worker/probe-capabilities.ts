import type { RuntimeCapabilities, WebGpuAvailability } from '../core/runtime-capabilities.ts';

export async function probeBrowserCapabilities(): Promise<RuntimeCapabilities> {
  return {
    runtime: 'browser',
    webgpu: await probeWebGpu(),
    crossOriginIsolated: self.crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    deviceMemoryGB: (navigator as WorkerNavigator & { deviceMemory?: number }).deviceMemory,
  };
}

async function probeWebGpu(): Promise<WebGpuAvailability> {
  // navigator.gpu can exist while requestAdapter() returns null (e.g. a blocklisted GPU or a
  // headless browser without --enable-unsafe-webgpu), so only an adapter counts.
  if (!('gpu' in navigator)) return { available: false, reason: 'this browser has no WebGPU' };
  try {
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { available: false, reason: 'no WebGPU adapter (GPU blocklisted or disabled)' };
    const { vendor, architecture, description } = adapter.info;
    return {
      available: true,
      shaderF16: adapter.features.has('shader-f16'),
      adapterDescription: [vendor, architecture, description].filter(Boolean).join(' ') || 'unknown GPU',
    };
  } catch (error) {
    return { available: false, reason: `WebGPU adapter request failed: ${String(error)}` };
  }
}
