import { offeredModels } from '../core/model-catalog.ts';

/**
 * `vite build` (mode "production") leaves the generated test rewriters out of the picker and the model manager, and
 * vite.config.ts leaves models/test out of dist; `vite` (development) and `vite build --mode test` keep both.
 */
export const OFFERED_MODELS = offeredModels({ testFixtures: import.meta.env.MODE !== 'production' });
