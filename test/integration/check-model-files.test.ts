import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFolderFiles, listHubFiles, ModelFolderError, readModelFolder, SUPPORT_FILES } from '../../scripts/check-model/model-files.ts';
import { startHubMirror, type HubMirror } from '../../scripts/hub-mirror-server.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'check-model-files-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A model folder with these files (relative path → bytes); the support files unless `support` is false. */
async function modelFolder(name: string, files: Record<string, number>, support = true): Promise<string> {
  const folder = path.join(root, name);
  await mkdir(path.join(folder, 'onnx'), { recursive: true });
  const all = { ...(support ? Object.fromEntries(SUPPORT_FILES.map((file) => [file, 2])) : {}), ...files };
  for (const [file, bytes] of Object.entries(all)) {
    await writeFile(path.join(folder, file), file === 'config.json' ? '{"model_type":"smolvlm"}' : Buffer.alloc(bytes));
  }
  return folder;
}

describe('listFolderFiles', () => {
  it('lists every dtype variant of each session with its size, external data included', async () => {
    const folder = await modelFolder('variants', {
      'onnx/vision_encoder.onnx': 100,
      'onnx/vision_encoder_q4f16.onnx': 30,
      'onnx/embed_tokens_fp16.onnx': 50,
      'onnx/decoder_model_merged_quantized.onnx': 70,
      'onnx/decoder_model_merged_q4.onnx': 40,
      'onnx/decoder_model_merged_q4.onnx_data': 400,
      'onnx/decoder_model_merged_q4.onnx_data_1': 200,
      'onnx/model.onnx': 10,
    });
    const files = await listFolderFiles(folder);
    expect(files.sessions.vision_encoder.map(({ dtype, bytes }) => [dtype, bytes])).toEqual([
      ['fp32', 100],
      ['q4f16', 30],
    ]);
    expect(files.sessions.embed_tokens.map(({ dtype }) => dtype)).toEqual(['fp16']);
    expect(files.sessions.decoder_model_merged).toEqual([
      { dtype: 'q4', file: 'onnx/decoder_model_merged_q4.onnx', bytes: 40, externalDataBytes: 600 },
      { dtype: 'q8', file: 'onnx/decoder_model_merged_quantized.onnx', bytes: 70, externalDataBytes: 0 },
    ]);
    expect(files.otherOnnxFiles).toEqual(['onnx/model.onnx']);
    expect(files.missingSupportFiles).toEqual([]);
  });

  it('names the support files a folder lacks, and lists no sessions without onnx/ files', async () => {
    const folder = await modelFolder('bare', { 'config.json': 2 }, false);
    const files = await listFolderFiles(folder);
    expect(files.missingSupportFiles).toEqual(SUPPORT_FILES.filter((file) => file !== 'config.json'));
    expect(Object.values(files.sessions).every((variants) => variants.length === 0)).toBe(true);
  });
});

describe('readModelFolder', () => {
  it('reads model_type from config.json', async () => {
    expect(await readModelFolder(await modelFolder('typed', {}))).toEqual({ modelType: 'smolvlm' });
  });

  it.each([
    ['a missing folder', async () => path.join(root, 'absent'), /^No model folder at .*absent\.$/],
    ['a file', async () => {
      const file = path.join(root, 'a-file');
      await writeFile(file, 'x');
      return file;
    }, /a-file is a file, not a model folder/],
    ['a folder without config.json', async () => modelFolder('no-config', {}, false), /no-config has no config\.json/],
    ['a config.json that is not JSON', async () => {
      const folder = await modelFolder('bad-json', {});
      await writeFile(path.join(folder, 'config.json'), '{"model_type":');
      return folder;
    }, /bad-json[/\\]config\.json is not JSON/],
    ['a model_type that is not a string', async () => {
      const folder = await modelFolder('bad-type', {});
      await writeFile(path.join(folder, 'config.json'), '{"model_type":7}');
      return folder;
    }, /bad-type[/\\]config\.json: model_type: expected a string/],
  ])('refuses %s, naming the path', async (_, make, message) => {
    const target = await make();
    await expect(readModelFolder(target)).rejects.toThrow(ModelFolderError);
    await expect(readModelFolder(target)).rejects.toThrow(message);
  });
});

describe('listHubFiles', () => {
  let mirror: HubMirror;
  beforeAll(async () => {
    await modelFolder('hub/org/model', { 'onnx/vision_encoder_q4.onnx': 30, 'onnx/embed_tokens.onnx': 20, 'onnx/decoder_model_merged_q4f16.onnx': 60 });
    mirror = await startHubMirror({ root: path.join(root, 'hub'), host: '127.0.0.1' });
  });
  afterAll(async () => {
    await mirror.close();
  });

  it('finds the variants on a hub by their names, with sizes, with HEAD requests only', async () => {
    const files = await listHubFiles(mirror.url, 'org/model');
    expect(files.where).toBe(`${mirror.url}org/model/resolve/main/`);
    expect(files.sessions.vision_encoder).toEqual([{ dtype: 'q4', file: 'onnx/vision_encoder_q4.onnx', bytes: 30, externalDataBytes: 0 }]);
    expect(files.sessions.embed_tokens.map(({ dtype }) => dtype)).toEqual(['fp32']);
    expect(files.sessions.decoder_model_merged.map(({ dtype }) => dtype)).toEqual(['q4f16']);
    expect(files.missingSupportFiles).toEqual([]);
    expect(mirror.requests.every((request) => request.method === 'HEAD')).toBe(true);
  });

  it('says so when the hub cannot be reached', async () => {
    await expect(listHubFiles('http://127.0.0.1:9/', 'org/model')).rejects.toThrow('Cannot reach http://127.0.0.1:9/ to list the files of org/model');
  });
});
