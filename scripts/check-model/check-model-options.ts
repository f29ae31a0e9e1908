/** The command line of `npm run check-model`; every flag is in CHECK_MODEL_HELP with its default. */
import { parseArgs } from 'node:util';
import { MODEL_FAMILIES } from '../../src/core/model-families.ts';
import { HUGGING_FACE_HUB_URL, normalizeHubUrl } from '../../src/core/model-source.ts';
import { DEFAULT_STRICTNESS } from '../../src/core/rewrite-decision.ts';
import { DEFAULT_MAX_NEW_TOKENS } from '../../src/core/rewrite-prompt.ts';
import { PROBE_CASES } from './probe-set.ts';
import { CONSTRAINED_COMPLETE_MIN, LABEL_AGREEMENT_MIN, UNCONSTRAINED_ADHERENCE_MIN, USABLE_MIN } from './verdict.ts';

const percent = (value: number) => `${Math.round(value * 100)} %`;

export const CHECK_MODEL_HELP = `Usage: npm run check-model -- FOLDER|HUB_ID [options]

Loads a candidate rewriter with this project's engine (onnxruntime-node, CPU), lists its ONNX files and dtypes
against the catalog's recipes, runs the ${PROBE_CASES.length} built-in probes (safe and unsafe) once unconstrained and once
constrained, and says whether it drops in as a rewriter.

The model:
  FOLDER|HUB_ID         a model folder in the Hub's layout (its family from config.json), or a catalog or Hub id
  --family NAME         the family of a Hub id outside the catalog: ${Object.keys(MODEL_FAMILIES).join(', ')}
  --hub-url URL         hub to list and download a Hub id from (default: ${HUGGING_FACE_HUB_URL})
  --offline             use only models/ and local folders

The probes:
  --max-new-tokens N    output limit per rewrite (default: ${DEFAULT_MAX_NEW_TOKENS})
  --strictness X        least P(no risk) for a pass-through, 0–1 (default: ${DEFAULT_STRICTNESS})
  --ocr                 read the text in the probe images and give it to the rewriter (default: off)

Output:
  --json                print one JSON object instead of text
  --help                this text

Verdict (format and labels are judged apart):
  drops in                   unconstrained, our parser reads ≥ ${percent(UNCONSTRAINED_ADHERENCE_MIN)} of outputs completely and the
                             decision uses ≥ ${percent(USABLE_MIN)} of them
  drops in constrained only  otherwise, constrained, ≥ ${percent(CONSTRAINED_COMPLETE_MIN)} of outputs reach [END] and the decision uses
                             ≥ ${percent(USABLE_MIN)} of them
  does not drop in           neither
  labels respected           in a mode: ≥ ${percent(LABEL_AGREEMENT_MIN)} of safe probes pass through and ≥ ${percent(LABEL_AGREEMENT_MIN)} of unsafe ones do not

Exit status: 0 the check ran (whatever the verdict), 2 a bad argument or a folder that is not a model folder,
1 a model that fails to load or run.`;

export const CHECK_MODEL_FLAGS = {
  family: { type: 'string' },
  'hub-url': { type: 'string', default: HUGGING_FACE_HUB_URL },
  offline: { type: 'boolean', default: false },
  'max-new-tokens': { type: 'string', default: String(DEFAULT_MAX_NEW_TOKENS) },
  strictness: { type: 'string', default: String(DEFAULT_STRICTNESS) },
  ocr: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

export interface CheckModelOptions {
  /** The folder or id as given. */
  model: string;
  family: string | undefined;
  /** Null: offline. */
  hubUrl: string | null;
  maxNewTokens: number;
  strictness: number;
  ocr: boolean;
  json: boolean;
}

/** A bad command line (exit 2); the message names the flag and what is wrong. */
export class CheckModelArgumentError extends Error {
  override readonly name = 'CheckModelArgumentError';
}

/** Parses the command line; 'help' when --help was given (nothing else is checked then). */
export function parseCheckModelOptions(args: string[]): CheckModelOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args, options: CHECK_MODEL_FLAGS, strict: true, allowPositionals: true });
  } catch (error) {
    throw new CheckModelArgumentError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) {
    throw new CheckModelArgumentError(`Give one model folder or Hub id; got ${positionals.length === 0 ? 'none' : positionals.join(', ')}.`);
  }
  const family = values.family;
  if (family !== undefined && !(family in MODEL_FAMILIES)) {
    throw new CheckModelArgumentError(`--family ${family}: expected one of ${Object.keys(MODEL_FAMILIES).join(', ')}.`);
  }
  const hubUrl = normalizeHubUrl(values['hub-url']);
  if (!hubUrl.ok) throw new CheckModelArgumentError(`--hub-url: ${hubUrl.message}`);
  const maxNewTokens = Number(values['max-new-tokens']);
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) {
    throw new CheckModelArgumentError(`--max-new-tokens ${values['max-new-tokens']}: expected a whole number ≥ 1.`);
  }
  const strictness = values.strictness.trim() === '' ? Number.NaN : Number(values.strictness);
  if (!(strictness >= 0 && strictness <= 1)) throw new CheckModelArgumentError(`--strictness ${values.strictness}: expected a number from 0 to 1.`);
  return {
    model: positionals[0] as string,
    family,
    hubUrl: values.offline ? null : hubUrl.url,
    maxNewTokens,
    strictness,
    ocr: values.ocr,
    json: values.json,
  };
}
