import type { RuntimeCapabilities, WebGpuAvailability } from './runtime-capabilities.ts';

/** The few facts of a page or worker global that the probe reads (structural, so core needs no DOM types). */
export interface ProbedGlobal {
  crossOriginIsolated: boolean;
  navigator: {
    hardwareConcurrency: number;
    deviceMemory?: number;
    gpu?: {
      requestAdapter(options: { powerPreference: 'high-performance' }): Promise<{
        info: { vendor: string; architecture: string; description: string };
        features: { has(feature: string): boolean };
      } | null>;
    };
  };
}

/** What a browser context offers the model: a WebGPU adapter (not merely navigator.gpu), isolation, threads, memory. */
export async function probeCapabilities(global: ProbedGlobal): Promise<Extract<RuntimeCapabilities, { runtime: 'browser' }>> {
  return {
    runtime: 'browser',
    webgpu: await probeWebGpu(global.navigator.gpu),
    crossOriginIsolated: global.crossOriginIsolated,
    hardwareConcurrency: global.navigator.hardwareConcurrency,
    deviceMemoryGB: global.navigator.deviceMemory,
  };
}

async function probeWebGpu(gpu: ProbedGlobal['navigator']['gpu']): Promise<WebGpuAvailability> {
  // navigator.gpu can exist while requestAdapter() returns null (e.g. a blocklisted GPU or a
  // headless browser without --enable-unsafe-webgpu), so only an adapter counts.
  if (!gpu) return { available: false, reason: 'this browser has no WebGPU' };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
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
