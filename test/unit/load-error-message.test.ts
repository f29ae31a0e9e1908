import { describe, expect, it } from 'vitest';
import { describeLoadError, loadFailureKind } from '../../src/core/load-error-message.ts';
import { DEFAULT_MODEL_SOURCE } from '../../src/core/model-source.ts';

const id = 'org/model';

describe('describeLoadError', () => {
  it.each([
    [{ name: 'ModelFileNotFoundError', message: 'Could not locate file: "x/config.json".' }, /was not found in this site's \/models\/ folder or https:\/\/huggingface.co\//],
    [{ name: 'ModelFileNotFoundError', message: 'Unauthorized access to file (401)' }, /access rights/],
    [{ message: 'TypeError: Failed to fetch' }, /Could not reach https:\/\/huggingface.co\//],
    [{ name: 'QuotaExceededError', message: 'QuotaExceededError: quota exceeded' }, /storage is full/],
    [{ message: 'Error: failed to load model: protobuf parsing failed' }, /damaged/],
    [
      { message: "Can't create a session. ERROR_CODE: 9, ERROR_MESSAGE: Could not find an implementation for GatherBlockQuantized(1) node with name 'g'" },
      /needs the operator GatherBlockQuantized, which this backend does not implement.*another model/,
    ],
    [{ message: 'something odd' }, /Loading "org\/model" failed: something odd/],
  ])('explains %j', (error, expected) => {
    expect(describeLoadError(error, id, DEFAULT_MODEL_SOURCE)).toMatch(expected);
  });
});

describe('loadFailureKind: only a backend failure may trigger the WebGPU→WASM retry', () => {
  it.each([
    [{ name: 'AbortError', message: 'The download was cancelled.' }, 'cancelled'],
    [{ message: 'AbortError: The download was cancelled.' }, 'cancelled'],
    [{ name: 'ModelFileNotFoundError', message: 'Could not locate file: "x/onnx/decoder.onnx".' }, 'not-found'],
    [{ message: 'Error: 404 Not Found' }, 'not-found'],
    [{ message: 'TypeError: Failed to fetch' }, 'network'],
    [{ name: 'QuotaExceededError', message: 'The quota has been exceeded.' }, 'storage-full'],
    [{ message: '9949816' }, 'other'],
    [{ message: 'no available backend found. ERR: [webgpu] Error: device lost' }, 'other'],
  ] as const)('%j is %s', (error, kind) => {
    expect(loadFailureKind(error)).toBe(kind);
  });
});
