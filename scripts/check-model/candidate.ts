/**
 * The candidate named on the command line: a model folder, or a catalog or Hub id (its files from models/<id>, else
 * listed on the hub), with its catalog record and its files against the recipes. Anything that makes it no model
 * folder is a ModelFolderError (exit 2).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../src/core/error-facts.ts';
import { isValidModelId, type ModelRecord } from '../../src/core/model-catalog.ts';
import { MODELS_DIR, resolveRewriterModel } from '../lib/node-rewriter.ts';
import { fitRecipes, listFolderFiles, listHubFiles, ModelFolderError, readModelFolder, type ModelFiles, type RecipeFit } from './model-files.ts';

export interface Candidate {
  model: ModelRecord;
  /** The folder the files were listed in; null for files on a hub, or none listed. */
  folder: string | null;
  files: ModelFiles | null;
  recipes: RecipeFit[] | null;
  /** Why the files were not listed. */
  filesNote: string | null;
}

/** Written as a path, never as a Hub id: absolute, relative to . or .., or with a backslash. */
const PATH_LIKE = /^(\/|\.{1,2}(\/|$)|~)|\\/;

export async function resolveCandidate(given: string, family: string | undefined, hubUrl: string | null): Promise<Candidate> {
  const folder = path.resolve(given);
  if (existsSync(folder)) return folderCandidate(folder, family);
  if (PATH_LIKE.test(given)) throw new ModelFolderError(`No model folder at ${folder}.`);
  if (!isValidModelId(given)) throw new ModelFolderError(`No model folder at ${folder}, and ${given} is not a Hub id (org/name).`);
  const model = await resolveRewriterModel(given, family);
  if (typeof model === 'string') throw new ModelFolderError(model);
  const local = path.join(MODELS_DIR, given);
  if (existsSync(path.join(local, 'config.json'))) return withFiles(model, local, await listFolderFiles(local));
  if (hubUrl === null) return { model, folder: null, files: null, recipes: null, filesNote: `offline, and ${local} does not exist` };
  try {
    return withFiles(model, null, await listHubFiles(hubUrl, given));
  } catch (error) {
    return { model, folder: null, files: null, recipes: null, filesNote: errorMessage(error) };
  }
}

async function folderCandidate(folder: string, family: string | undefined): Promise<Candidate> {
  await readModelFolder(folder);
  const model = await resolveRewriterModel(folder, family);
  if (typeof model === 'string') throw new ModelFolderError(model);
  const candidate = withFiles(model, folder, await listFolderFiles(folder));
  const cpu = candidate.recipes?.find((fit) => fit.recipe === 'cpu');
  if (cpu && !cpu.loadable) {
    throw new ModelFolderError(`${folder} lacks ${cpu.missing.join(', ')}, which this check loads (the catalog's CPU recipe for this model: ${describeDtypes(cpu)}).`);
  }
  return candidate;
}

function describeDtypes(fit: RecipeFit): string {
  return Object.entries(fit.dtypes).map(([session, dtype]) => `${session} ${dtype}`).join(', ');
}

function withFiles(model: ModelRecord, folder: string | null, files: ModelFiles): Candidate {
  return { model, folder, files, recipes: fitRecipes(files, model.recipes), filesNote: null };
}
