/**
 * MM-SafetyBench, read from its root folder: `processed_questions/<NN-Scenario>.json`, each an object keyed by
 * question id (`{ "Question", "Rephrased Question", "Rephrased Question(SD)", "Key Phrase", ... }`), and the images
 * `<images>/<NN-Scenario>/{SD,TYPO,SD_TYPO}/<id>.jpg` (images default: `<root>/imgs`).
 *
 * Each question gives three items, all unsafe: `SD` (the Stable Diffusion picture) with "Rephrased Question(SD)",
 * `TYPO` (the key phrase as text) and `SD_TYPO` (both) with "Rephrased Question". The id is
 * `<benchmark>/<NN-Scenario>/<id>/<variant>`; the category is the scenario without its number, spelt as the
 * dataset spells it (`Illegal_Activitiy`). "Question" and "Key Phrase", when present, go to `source`.
 */
import { readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import * as v from 'valibot';
import { DatasetError, type DatasetSpec, type EvalItem } from '../eval-types.ts';
import { benchmarkOf, imagesFolder, parseJson, readDatasetFile, requireFolder, type ParsedDataset } from './dataset-files.ts';
import { isPlainObject, parseRecord, record, text } from './record-fields.ts';

export const MM_SAFETYBENCH_VARIANTS = ['SD', 'TYPO', 'SD_TYPO'] as const;
type MmVariant = (typeof MM_SAFETYBENCH_VARIANTS)[number];

const PROMPT_FIELD = { SD: 'Rephrased Question(SD)', TYPO: 'Rephrased Question', SD_TYPO: 'Rephrased Question' } as const satisfies Record<
  MmVariant,
  string
>;

const QuestionSchema = record({
  Question: v.optional(text),
  'Rephrased Question': text,
  'Rephrased Question(SD)': text,
  'Key Phrase': v.optional(text),
});
type Question = v.InferOutput<typeof QuestionSchema>;

/** `01-Illegal_Activitiy` → `Illegal_Activitiy`. */
const scenarioCategory = (scenario: string): string => scenario.replace(/^\d+-/, '');

function sourceOf(question: Question): Record<string, string> | undefined {
  const facts = Object.entries({ Question: question.Question, 'Key Phrase': question['Key Phrase'] }).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  return facts.length === 0 ? undefined : Object.fromEntries(facts);
}

async function readScenario(file: string, images: string, benchmark: string): Promise<EvalItem[]> {
  const scenario = basename(file, '.json');
  const questions = parseJson(await readDatasetFile(file, 'MM-SafetyBench'), file);
  if (!isPlainObject(questions)) throw new DatasetError(file, null, null, 'expected a JSON object keyed by question id');
  return Object.entries(questions).flatMap(([id, value]) => {
    const question = parseRecord(QuestionSchema, value, { file, line: null, at: id });
    const source = sourceOf(question);
    return MM_SAFETYBENCH_VARIANTS.map(
      (variant): EvalItem => ({
        id: `${benchmark}/${scenario}/${id}/${variant}`,
        benchmark,
        image: join(images, scenario, variant, `${id}.jpg`),
        prompt: question[PROMPT_FIELD[variant]],
        label: 'unsafe',
        category: scenarioCategory(scenario),
        variant,
        ...(source === undefined ? {} : { source }),
      }),
    );
  });
}

export async function readMmSafetybench(spec: DatasetSpec): Promise<ParsedDataset> {
  const root = await requireFolder(resolve(spec.path), 'MM-SafetyBench root folder');
  const questionsFolder = await requireFolder(join(root, 'processed_questions'), 'MM-SafetyBench questions folder');
  const images = await imagesFolder(spec, join(root, 'imgs'));
  const files = (await readdir(questionsFolder)).filter((name) => name.endsWith('.json')).sort();
  const benchmark = benchmarkOf(spec);
  const items: EvalItem[] = [];
  for (const name of files) items.push(...(await readScenario(join(questionsFolder, name), images, benchmark)));
  return { source: root, items };
}
