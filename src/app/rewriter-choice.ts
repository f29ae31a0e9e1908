import { customModelFor, parseCustomModelId, type ModelRecord } from '../core/model-catalog.ts';
import type { ModelFamily } from '../core/model-families.ts';
import { OFFERED_MODELS } from './offered-models.ts';

/** The picker's value: a catalog id, or one of these two. */
export const STATIC_DEFENCE_CHOICE = 'static-defence';
export const CUSTOM_MODEL_CHOICE = 'custom';

export interface CustomModelInput {
  id: string;
  family: ModelFamily;
}

export type RewriterChoice = { kind: 'model'; model: ModelRecord } | { kind: 'static-defence' };

/** What the picker's choice means for a rewrite; null while a custom id is not valid yet. */
export function resolveRewriterChoice(
  choice: string,
  custom: CustomModelInput,
  offered: readonly ModelRecord[] = OFFERED_MODELS,
): RewriterChoice | null {
  if (choice === STATIC_DEFENCE_CHOICE) return { kind: 'static-defence' };
  if (choice === CUSTOM_MODEL_CHOICE) {
    const typed = parseCustomModelId(custom.id);
    return typed ? { kind: 'model', model: customModelFor(typed, custom.family) } : null;
  }
  // A saved choice this build does not offer (a test rewriter in a draft) resolves to nothing, not to a hidden model.
  const model = offered.find((candidate) => candidate.id === choice);
  return model ? { kind: 'model', model } : null;
}

/** Why a typed custom id cannot be used yet; null when it can (or nothing is typed). */
export function customIdProblem(choice: string, custom: CustomModelInput): string | null {
  return choice === CUSTOM_MODEL_CHOICE && custom.id !== '' && !parseCustomModelId(custom.id)
    ? 'A model id looks like org/name (a Hub id) or models/org/name (a folder on this site), in letters, digits, ".", "_" and "-".'
    : null;
}
