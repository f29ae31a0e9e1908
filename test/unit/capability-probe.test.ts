import { describe, expect, it } from 'vitest';
import { probeCapabilities, type ProbedGlobal } from '../../src/core/capability-probe.ts';

const base = { crossOriginIsolated: true, navigator: { hardwareConcurrency: 8, deviceMemory: 8 } };

function withGpu(requestAdapter: NonNullable<ProbedGlobal['navigator']['gpu']>['requestAdapter']): ProbedGlobal {
  return { ...base, navigator: { ...base.navigator, gpu: { requestAdapter } } };
}

describe('probeCapabilities', () => {
  it('counts an adapter, not merely navigator.gpu', async () => {
    expect((await probeCapabilities(withGpu(async () => null))).webgpu).toEqual({
      available: false,
      reason: 'no WebGPU adapter (GPU blocklisted or disabled)',
    });
    expect((await probeCapabilities(base)).webgpu).toEqual({ available: false, reason: 'this browser has no WebGPU' });
  });

  it('reads the adapter, shader-f16, isolation, threads and memory', async () => {
    const adapter = { info: { vendor: 'nvidia', architecture: 'ampere', description: '' }, features: new Set(['shader-f16']) };
    expect(await probeCapabilities(withGpu(async () => adapter))).toEqual({
      runtime: 'browser',
      webgpu: { available: true, shaderF16: true, adapterDescription: 'nvidia ampere' },
      crossOriginIsolated: true,
      hardwareConcurrency: 8,
      deviceMemoryGB: 8,
    });
  });

  it('reports a failed adapter request in words', async () => {
    const failing = withGpu(async () => {
      throw new Error('GPU process gone');
    });
    expect((await probeCapabilities(failing)).webgpu).toEqual({ available: false, reason: 'WebGPU adapter request failed: Error: GPU process gone' });
  });
});
