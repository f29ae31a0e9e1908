import type { ModelRecord } from './model-catalog.ts';

/** Where model files come from. transformers.js tries the local path first, then the hub. */
export interface ModelSource {
  /** A path on this site that holds models in the Hub's folder layout; null skips it. */
  localPath: string | null;
  /** The hub's base URL (Hugging Face or a mirror); null forbids remote downloads. */
  hubUrl: string | null;
}

export const HUGGING_FACE_HUB_URL = 'https://huggingface.co/';
export const LOCAL_MODELS_PATH = '/models/';

export const DEFAULT_MODEL_SOURCE: ModelSource = {
  localPath: LOCAL_MODELS_PATH,
  hubUrl: HUGGING_FACE_HUB_URL,
};

/** The source a load of `model` uses: a model meant to come from this site's folder never goes to a hub. */
export function sourceForModel(model: Pick<ModelRecord, 'siteFolderOnly'>, source: ModelSource): ModelSource {
  return model.siteFolderOnly ? { localPath: source.localPath ?? LOCAL_MODELS_PATH, hubUrl: null } : source;
}

export type HubUrlCheck = { ok: true; url: string } | { ok: false; message: string };

/** Accepts an http(s) base URL and returns it with exactly one trailing slash. */
export function normalizeHubUrl(input: string): HubUrlCheck {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return { ok: false, message: 'Enter a full URL, such as https://huggingface.co/' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, message: 'The hub URL must start with https:// or http://' };
  }
  if (url.search || url.hash) {
    return { ok: false, message: 'The hub URL cannot have a query or a fragment' };
  }
  return { ok: true, url: `${url.origin}${url.pathname.replace(/\/*$/, '/')}` };
}
