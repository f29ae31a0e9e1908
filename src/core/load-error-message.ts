import { isQuotaExceeded } from './error-facts.ts';
import type { ModelSource } from './model-source.ts';

export type LoadFailureKind = 'cancelled' | 'not-found' | 'network' | 'storage-full' | 'other';

const NOT_FOUND = /not found|404|Could not locate file/i;
const NETWORK = /Failed to fetch|NetworkError|network error|fetch failed|ECONNREFUSED|ENOTFOUND|ERR_INTERNET_DISCONNECTED/i;
const STORAGE_FULL = /QuotaExceeded|quota/i;

/**
 * What kind of failure stopped a load. Only 'other' can be the backend's fault: a cancelled, missing,
 * unreachable or unstorable file would fail the same way on any backend, so it must never trigger the
 * WebGPU→WASM retry.
 */
export function loadFailureKind(error: { name?: string; message: string }): LoadFailureKind {
  if (error.name === 'AbortError' || /download was cancelled/i.test(error.message)) return 'cancelled';
  if (error.name === 'ModelFileNotFoundError' || NOT_FOUND.test(error.message)) return 'not-found';
  if (isQuotaExceeded(error) || STORAGE_FULL.test(error.message)) return 'storage-full';
  if (NETWORK.test(error.message)) return 'network';
  return 'other';
}

/** Turns a model-load failure into a sentence that says what happened and what to do. */
export function describeLoadError(error: { name?: string; message: string }, modelId: string, source: ModelSource): string {
  const { message } = error;
  const where = [source.localPath && `this site's ${source.localPath} folder`, source.hubUrl]
    .filter(Boolean)
    .join(' or ');
  const kind = loadFailureKind(error);
  if (kind === 'not-found') {
    if (/\b(401|403)\b|Unauthorized|Forbidden/i.test(message)) {
      return `"${modelId}" needs access rights on the hub (gated or private model). Details: ${message}`;
    }
    return `"${modelId}" was not found in ${where || 'any allowed source'}. Check the model id, or run \`npm run models:tiny\` for the test model. Details: ${message}`;
  }
  if (kind === 'network') {
    return `Could not reach ${source.hubUrl ?? 'the model server'} to download "${modelId}". Check the connection or the hub URL. Details: ${message}`;
  }
  if (kind === 'storage-full') {
    return `The browser's storage is full, so "${modelId}" could not be saved. Free some space (or delete cached models) and try again.`;
  }
  if (/protobuf|invalid model|parse|Unexpected token/i.test(message)) {
    return `A file of "${modelId}" is damaged or not a model file. Details: ${message}`;
  }
  const operator = /Could not find an implementation for (\w+)/.exec(message)?.[1];
  if (operator) {
    return (
      `"${modelId}" needs the operator ${operator}, which this backend does not implement (onnxruntime-web's WASM ` +
      `build lacks some quantized operators). Pick another model, or another device with WebGPU. Details: ${message}`
    );
  }
  if (/out of memory|OOM|allocation/i.test(message)) {
    return `Not enough memory to load "${modelId}". Try a smaller model or close other tabs. Details: ${message}`;
  }
  return `Loading "${modelId}" failed: ${message}`;
}
