import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { findModelsWithoutHub } from '../../src/app/models-without-hub.ts';
import { findModel, type ModelRecord } from '../../src/core/model-catalog.ts';
import { MODEL_CACHE_NAME } from '../../src/core/model-cache-keys.ts';

const model = (id: string): ModelRecord => findModel(id)!;
const cachedSmolVlm = model('HuggingFaceTB/SmolVLM-256M-Instruct');
const inFolder = model('test/tiny-smolvlm');
const spaFallback = model('test/tiny-smolvlm-scripted');
const missing = model('HuggingFaceTB/SmolVLM-500M-Instruct');
const unreachable = model('test/tiny-smolvlm-benign');

/** Cache Storage holding every file of one model, as transformers.js leaves it after a download from the hub. */
function fakeCaches(modelId: string) {
  const files = ['config.json', 'onnx/embed_tokens.onnx', 'onnx/vision_encoder_q4.onnx', 'onnx/decoder_model_merged_q4.onnx'];
  const requests = files.map((file) => new Request(`https://huggingface.co/${modelId}/resolve/main/${file}`));
  const cache = {
    keys: async () => requests,
    match: async () => new Response('x', { headers: { 'content-length': '10' } }),
  };
  return { has: async (name: string) => name === MODEL_CACHE_NAME, open: async () => cache };
}

let asked: string[];
let offline: boolean;

beforeEach(() => {
  asked = [];
  offline = false;
  vi.stubGlobal('self', globalThis);
  vi.stubGlobal('caches', fakeCaches(cachedSmolVlm.id));
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    asked.push(`${init.method} ${url}`);
    if (url.includes(unreachable.id) && offline) throw new TypeError('Failed to fetch');
    if (url === `/models/${inFolder.id}/config.json`) return new Response(null, { headers: { 'content-type': 'application/json' } });
    // A static host that answers index.html for any path.
    if (url === `/models/${spaFallback.id}/config.json`) return new Response(null, { headers: { 'content-type': 'text/html' } });
    if (url === `/models/${unreachable.id}/config.json`) return new Response(null, { headers: { 'content-type': 'application/json' } });
    return new Response(null, { status: 404 });
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('findModelsWithoutHub', () => {
  it('finds complete models in the browser cache and folders this site serves as JSON, asking each folder once', async () => {
    const models = [cachedSmolVlm, inFolder, spaFallback, missing];
    expect(await findModelsWithoutHub(models)).toEqual([
      { model: cachedSmolVlm, where: 'browser-cache' },
      { model: inFolder, where: 'site-folder' },
    ]);
    // A cached model needs no question; a folder with its definite answer is not asked again.
    expect(asked).toEqual([
      `HEAD /models/${inFolder.id}/config.json`,
      `HEAD /models/${spaFallback.id}/config.json`,
      `HEAD /models/${missing.id}/config.json`,
    ]);
    await findModelsWithoutHub(models);
    expect(asked).toHaveLength(3);
  });

  it('asks again about a folder it could not reach', async () => {
    offline = true;
    expect(await findModelsWithoutHub([unreachable])).toEqual([]);
    offline = false;
    expect(await findModelsWithoutHub([unreachable])).toEqual([{ model: unreachable, where: 'site-folder' }]);
    expect(asked.filter((request) => request.includes(unreachable.id))).toHaveLength(2);
  });
});
