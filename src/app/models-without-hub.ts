import type { ModelRecord } from '../core/model-catalog.ts';
import { LOCAL_MODELS_PATH } from '../core/model-source.ts';
import { readModelCache } from './model-cache.ts';

/** A model that loads without the hub, and why. */
export interface ModelWithoutHub {
  model: ModelRecord;
  where: 'browser-cache' | 'site-folder';
}

/** One question per folder and page; a folder that could not be asked (offline) is asked again next time. */
const siteFolderAnswers = new Map<string, Promise<boolean>>();

/** Whether this site serves the model's folder: its config.json answers as JSON (an SPA fallback answers HTML). */
function isInSiteFolder(modelId: string): Promise<boolean> {
  let answer = siteFolderAnswers.get(modelId);
  if (!answer) {
    answer = fetch(`${LOCAL_MODELS_PATH}${modelId}/config.json`, { method: 'HEAD', cache: 'no-store' }).then(
      (response) => response.ok && !(response.headers.get('content-type') ?? '').includes('html'),
      () => {
        siteFolderAnswers.delete(modelId);
        return false;
      },
    );
    siteFolderAnswers.set(modelId, answer);
  }
  return answer;
}

/** The models that load here without the hub: complete in the browser's cache, or in this site's models/ folder. */
export async function findModelsWithoutHub(models: readonly ModelRecord[]): Promise<ModelWithoutHub[]> {
  const cache = await readModelCache(models.map((model) => model.id)).catch(() => ({}) as Awaited<ReturnType<typeof readModelCache>>);
  const found = await Promise.all(
    models.map(async (model): Promise<ModelWithoutHub | null> => {
      if (cache[model.id]?.complete) return { model, where: 'browser-cache' };
      return (await isInSiteFolder(model.id)) ? { model, where: 'site-folder' } : null;
    }),
  );
  return found.filter((entry) => entry !== null);
}
