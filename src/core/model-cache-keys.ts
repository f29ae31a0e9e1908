/** transformers.js's default `env.cacheKey`: the Cache Storage name holding model files. */
export const MODEL_CACHE_NAME = 'transformers-cache';

/** Whether a cached URL belongs to a model: Hub URLs hold `/<id>/resolve/`, this site's folder `/models/<id>/`. */
export function isModelFileUrl(url: string, modelId: string): boolean {
  const { pathname } = new URL(url);
  return pathname.includes(`/${modelId}/resolve/`) || pathname.includes(`/models/${modelId}/`);
}

export interface CachedModelSummary {
  files: number;
  bytes: number;
  /** config.json and the three ONNX sessions are present; an approximation that needs no network. */
  complete: boolean;
}

export function summarizeCachedFiles(entries: ReadonlyArray<{ url: string; bytes: number }>): CachedModelSummary {
  const paths = entries.map((entry) => new URL(entry.url).pathname);
  return {
    files: entries.length,
    bytes: entries.reduce((sum, entry) => sum + entry.bytes, 0),
    complete:
      paths.some((path) => path.endsWith('/config.json')) &&
      ['embed_tokens', 'vision_encoder', 'decoder_model_merged'].every((session) =>
        paths.some((path) => new RegExp(`/onnx/${session}[^/]*\\.onnx$`).test(path)),
      ),
  };
}
