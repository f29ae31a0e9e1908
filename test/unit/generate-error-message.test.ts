import { describe, expect, it } from 'vitest';
import { describeGenerateError } from '../../src/core/generate-error-message.ts';

describe('describeGenerateError', () => {
  it('recognises a lost WebGPU device and says the next try reloads the model', () => {
    const message = describeGenerateError({ message: 'Failed to execute mapAsync on GPUBuffer: Device is lost' }, 'webgpu');
    expect(message).toMatch(/GPU stopped responding/);
    expect(message).toMatch(/on WASM if the GPU stays unavailable/);
    const afterCrash =
      'failed to call OrtRun(). ERROR_CODE: 1, ERROR_MESSAGE: ... Failed to create a WebGPU compute pipeline: A valid external Instance reference no longer exists.';
    expect(describeGenerateError({ message: afterCrash }, 'webgpu')).toMatch(/GPU stopped responding/);
  });

  it('does not blame the GPU on the WASM backend', () => {
    expect(describeGenerateError({ message: 'Device is lost' }, 'wasm')).toMatch(/^The rewrite failed: Device is lost/);
  });

  it('explains running out of memory', () => {
    expect(describeGenerateError({ message: 'RangeError: Array buffer allocation failed' }, 'wasm')).toMatch(/ran out of memory/);
  });

  it('always says that the inputs are kept', () => {
    for (const backend of ['webgpu', 'wasm', null] as const) {
      expect(describeGenerateError({ message: 'anything' }, backend)).toMatch(/image and prompt are kept/);
    }
  });
});

describe('the wording of an unexpected failure', () => {
  it('does not double the full stop of a message that ends a sentence', () => {
    expect(describeGenerateError({ message: 'The image is a BMP.' }, 'wasm')).toBe(
      'The rewrite failed: The image is a BMP. Your image and prompt are kept; press Rewrite to try again.',
    );
  });
});
