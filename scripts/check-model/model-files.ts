/**
 * A candidate rewriter's files: which dtype variants of each ONNX session it ships (in a folder, or on a hub by
 * asking for each file transformers.js could load), and which of the catalog's recipes (WebGPU f16, WebGPU f32,
 * WASM, and Node's CPU, which this check runs) find every file they load.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import PQueue from 'p-queue';
import * as v from 'valibot';
import { errorMessage } from '../../src/core/error-facts.ts';
import type { DtypeRecipes, SessionDtypes } from '../../src/core/model-catalog.ts';
import { DTYPE_SUFFIXES, onnxFile, type FileDtype } from '../lib/dtype-suffixes.ts';

export type SessionName = keyof SessionDtypes;
export const SESSIONS: readonly SessionName[] = ['vision_encoder', 'embed_tokens', 'decoder_model_merged'];

/** What the processor and tokenizer read beside the ONNX files. */
export const SUPPORT_FILES = ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;

export interface SessionFile {
  dtype: string;
  /** Relative to the model's root: `onnx/decoder_model_merged_q4.onnx`. */
  file: string;
  bytes: number;
  /** Bytes of its external data (`<file>_data…` beside it); 0 when the weights are inside the graph. */
  externalDataBytes: number;
}

export interface ModelFiles {
  /** The folder, or the hub URL of the model. */
  where: string;
  sessions: Record<SessionName, SessionFile[]>;
  missingSupportFiles: string[];
  /** ONNX files in onnx/ named after no session and dtype (listed for folders only). */
  otherOnnxFiles: string[];
}

export type RecipeName = keyof DtypeRecipes;
export const RECIPE_LABELS: Readonly<Record<RecipeName, string>> = {
  webgpuF16: 'WebGPU f16',
  webgpu: 'WebGPU f32',
  wasm: 'WASM',
  cpu: 'Node CPU (this check)',
};

export interface RecipeFit {
  recipe: RecipeName;
  label: string;
  dtypes: SessionDtypes;
  /** The files the recipe loads that the model lacks. */
  missing: string[];
  loadable: boolean;
}

/** A model folder that cannot be read as one (exit 2): the message names the path and what is wrong. */
export class ModelFolderError extends Error {
  override readonly name = 'ModelFolderError';
}

/** Each recipe of `recipes` against the files: loadable when every session's file of the recipe's dtype exists. */
export function fitRecipes(files: ModelFiles, recipes: DtypeRecipes): RecipeFit[] {
  return (Object.keys(RECIPE_LABELS) as RecipeName[]).map((recipe) => {
    const dtypes = recipes[recipe];
    const missing = SESSIONS.filter((session) => !files.sessions[session].some((found) => found.dtype === dtypes[session])).map(
      (session) => onnxFile(session, dtypes[session]),
    );
    const all = [...missing, ...files.missingSupportFiles];
    return { recipe, label: RECIPE_LABELS[recipe], dtypes, missing: all, loadable: all.length === 0 };
  });
}

const ConfigSchema = v.looseObject({ model_type: v.optional(v.string('expected a string')) });

/** The folder checked as a model folder, and its config.json's model_type; throws a ModelFolderError if it is not one. */
export async function readModelFolder(folder: string): Promise<{ modelType: string | null }> {
  const info = await stat(folder).catch(() => null);
  if (!info) throw new ModelFolderError(`No model folder at ${folder}.`);
  if (!info.isDirectory()) throw new ModelFolderError(`${folder} is a file, not a model folder.`);
  const configPath = path.join(folder, 'config.json');
  const content = await readFile(configPath, 'utf8').catch(() => null);
  if (content === null) {
    throw new ModelFolderError(`${folder} has no config.json, so it is not a model folder in the Hub's layout (config.json, tokenizer files, onnx/).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (error) {
    throw new ModelFolderError(`${configPath} is not JSON: ${errorMessage(error)}`);
  }
  const parsed = v.safeParse(ConfigSchema, json);
  if (!parsed.success) throw new ModelFolderError(`${configPath}: model_type: ${parsed.issues[0].message}.`);
  return { modelType: parsed.output.model_type ?? null };
}

/** The dtype a file name in onnx/ stands for, with its session; null for a name no session and dtype give. */
function readSessionFileName(name: string): { session: SessionName; dtype: string } | null {
  for (const session of SESSIONS) {
    for (const [dtype, suffix] of Object.entries(DTYPE_SUFFIXES)) {
      if (name === `${session}${suffix}.onnx`) return { session, dtype };
    }
  }
  return null;
}

function emptySessions(): Record<SessionName, SessionFile[]> {
  return { vision_encoder: [], embed_tokens: [], decoder_model_merged: [] };
}

/** The files of a model folder (see readModelFolder for what makes one). */
export async function listFolderFiles(folder: string): Promise<ModelFiles> {
  const onnxFolder = path.join(folder, 'onnx');
  const names = (await readdir(onnxFolder).catch(() => [] as string[])).sort();
  const sizeOf = async (file: string) => (await stat(path.join(folder, file))).size;
  const sessions = emptySessions();
  const otherOnnxFiles: string[] = [];
  for (const name of names.filter((entry) => entry.endsWith('.onnx'))) {
    const read = readSessionFileName(name);
    if (!read) {
      otherOnnxFiles.push(`onnx/${name}`);
      continue;
    }
    const dataFiles = names.filter((entry) => entry.startsWith(`${name}_data`));
    const dataSizes = await Promise.all(dataFiles.map((entry) => sizeOf(`onnx/${entry}`)));
    sessions[read.session].push({
      dtype: read.dtype,
      file: `onnx/${name}`,
      bytes: await sizeOf(`onnx/${name}`),
      externalDataBytes: dataSizes.reduce((sum, size) => sum + size, 0),
    });
  }
  const present = await Promise.all(SUPPORT_FILES.map((file) => sizeOf(file).then(() => true, () => false)));
  return { where: folder, sessions, missingSupportFiles: SUPPORT_FILES.filter((_, index) => !present[index]), otherOnnxFiles };
}

const HUB_CONCURRENCY = 8;

/**
 * The files of a model on a hub (or a mirror in its layout): a HEAD request for each file transformers.js could
 * load, since a mirror need not serve the Hub's listing API. Throws when the hub cannot be asked.
 */
export async function listHubFiles(hubUrl: string, id: string, fetchFile: typeof fetch = fetch): Promise<ModelFiles> {
  const base = `${hubUrl}${id}/resolve/main/`;
  const queue = new PQueue({ concurrency: HUB_CONCURRENCY });
  const sizeOf = (file: string) =>
    queue.add(async (): Promise<number | null> => {
      let response: Response;
      try {
        response = await fetchFile(`${base}${file}`, { method: 'HEAD' });
      } catch (error) {
        throw new Error(`Cannot reach ${hubUrl} to list the files of ${id}: ${errorMessage(error)}`, { cause: error });
      }
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(`${base}${file} answered ${response.status} ${response.statusText}.`);
      // The Hub redirects large files to a CDN and names their size in x-linked-size.
      return Number(response.headers.get('x-linked-size') ?? response.headers.get('content-length') ?? 0);
    }, { throwOnTimeout: true });

  const candidates = SESSIONS.flatMap((session) => (Object.keys(DTYPE_SUFFIXES) as FileDtype[]).map((dtype) => ({ session, dtype, file: onnxFile(session, dtype) })));
  const [sizes, support] = await Promise.all([
    Promise.all(candidates.map((candidate) => sizeOf(candidate.file))),
    Promise.all(SUPPORT_FILES.map((file) => sizeOf(file))),
  ]);
  const sessions = emptySessions();
  const found = candidates.flatMap((candidate, index) => {
    const bytes = sizes[index];
    return bytes === null || bytes === undefined ? [] : [{ ...candidate, bytes }];
  });
  const dataSizes = await Promise.all(found.map((candidate) => sizeOf(`${candidate.file}_data`)));
  found.forEach(({ session, dtype, file, bytes }, index) => {
    sessions[session].push({ dtype, file, bytes, externalDataBytes: dataSizes[index] ?? 0 });
  });
  return {
    where: base,
    sessions,
    missingSupportFiles: SUPPORT_FILES.filter((_, index) => support[index] === null),
    otherOnnxFiles: [],
  };
}
