import { describe, expect, it } from 'vitest';
import { planDevice } from '../../src/core/device-plan.ts';
import type { RuntimeCapabilities } from '../../src/core/runtime-capabilities.ts';
import { findModel } from '../../src/core/model-catalog.ts';

const smolVlm = findModel('HuggingFaceTB/SmolVLM-256M-Instruct')!;

function browser(webgpu: Extract<RuntimeCapabilities, { runtime: 'browser' }>['webgpu'], isolated = true, cores = 8) {
  return { runtime: 'browser', webgpu, crossOriginIsolated: isolated, hardwareConcurrency: cores } as const;
}

const gpuWithF16 = browser({ available: true, shaderF16: true, adapterDescription: 'nvidia ampere' });
const gpuWithoutF16 = browser({ available: true, shaderF16: false, adapterDescription: 'google swiftshader' });
const noAdapter = browser({ available: false, reason: 'no WebGPU adapter' });

describe('planDevice', () => {
  it.each([
    ['a GPU with shader-f16', gpuWithF16, 'webgpu', 'q4f16', 'fp16'],
    ['a GPU without shader-f16', gpuWithoutF16, 'webgpu', 'q4', 'fp32'],
    ['no WebGPU adapter', noAdapter, 'wasm', 'q8', 'fp32'],
  ] as const)('on %s: the backend, decoder and embedding dtypes it plans', (_, capabilities, backend, decoder, embed) => {
    const plan = planDevice(capabilities, smolVlm);
    expect(plan.backend).toBe(backend);
    expect(plan.dtypes.decoder_model_merged).toBe(decoder);
    expect(plan.dtypes.embed_tokens).toBe(embed);
  });

  it('never plans a half-precision dtype without shader-f16', () => {
    for (const capabilities of [gpuWithoutF16, noAdapter]) {
      const dtypes = Object.values(planDevice(capabilities, smolVlm).dtypes);
      expect(dtypes.filter((dtype) => dtype.includes('16'))).toEqual([]);
    }
  });

  it('says why it chose WASM', () => {
    expect(planDevice(noAdapter, smolVlm).reason).toContain('no WebGPU adapter');
    expect(planDevice(gpuWithF16, smolVlm, 'wasm').reason).toContain('you chose WASM');
  });

  it('honours a WASM preference even when a GPU is there', () => {
    expect(planDevice(gpuWithF16, smolVlm, 'wasm').backend).toBe('wasm');
  });

  it('uses threads only under cross-origin isolation, at most four', () => {
    expect(planDevice(noAdapter, smolVlm).wasmThreads).toBe(4);
    expect(planDevice(browser(noAdapter.webgpu, true, 2), smolVlm).wasmThreads).toBe(2);
    const notIsolated = planDevice(browser(noAdapter.webgpu, false), smolVlm);
    expect(notIsolated.wasmThreads).toBe(1);
    expect(notIsolated.reason).toContain('not cross-origin isolated');
  });

  it('runs on the CPU in Node', () => {
    expect(planDevice({ runtime: 'node' }, smolVlm)).toMatchObject({ backend: 'cpu', dtypes: smolVlm.recipes.cpu });
  });
});
