import type { ModelSource } from './model-source.ts';

/** Turns a model-load failure into a sentence that says what happened and what to do. */
export function describeLoadError(error: { name?: string; message: string }, modelId: string, source: ModelSource): string {
  const { message } = error;
  const where = [source.localPath && `this site's ${source.localPath} folder`, source.hubUrl]
    .filter(Boolean)
    .join(' or ');
  if (error.name === 'ModelFileNotFoundError' || /not found|404/i.test(message)) {
    if (/\b(401|403)\b|Unauthorized|Forbidden/i.test(message)) {
      return `"${modelId}" needs access rights on the hub (gated or private model). Details: ${message}`;
    }
    return `"${modelId}" was not found in ${where || 'any allowed source'}. Check the model id, or run \`npm run models:tiny\` for the test model. Details: ${message}`;
  }
  if (/Failed to fetch|NetworkError|fetch failed|ECONNREFUSED/i.test(message)) {
    return `Could not reach ${source.hubUrl ?? 'the model server'} to download "${modelId}". Check the connection or the hub URL. Details: ${message}`;
  }
  if (/QuotaExceeded|quota/i.test(message)) {
    return `The browser's storage is full, so "${modelId}" could not be saved. Free some space (or delete cached models) and try again.`;
  }
  if (/protobuf|invalid model|parse|Unexpected token/i.test(message)) {
    return `A file of "${modelId}" is damaged or not a model file. Details: ${message}`;
  }
  if (/out of memory|OOM|allocation/i.test(message)) {
    return `Not enough memory to load "${modelId}". Try a smaller model or close other tabs. Details: ${message}`;
  }
  return `Loading "${modelId}" failed: ${message}`;
}
