import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Served at /models/ by the browser bench, like the app's own model folder. */
export const MODELS_DIR = `${REPO_ROOT}models/`;
/** Model ids are paths below MODELS_DIR, so the same id loads in Node and in the browser. */
export const REALISTIC_MODEL_ID = 'bench/smolvlm-256m-random';
export const REALISTIC_MODEL_DIR = `${MODELS_DIR}${REALISTIC_MODEL_ID}`;
export const TINY_MODEL_ID = 'test/tiny-smolvlm';
export const RESULTS_DIR = `${REPO_ROOT}bench-results/`;
