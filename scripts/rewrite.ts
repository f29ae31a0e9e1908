/**
 * Rewrites one image + prompt from the shell with the same core and engine as the app:
 *   npm run rewrite -- --image photo.jpg --prompt "…" [--model id|folder] [--family smolvlm] [--reasoning off] [--no-ocr] [--json]
 * wraps it in the static defence without a model (with the text OCR finds in the image):
 *   npm run rewrite -- --image photo.jpg --prompt "…" --static-defence
 * or re-decides a saved output without a model:
 *   npm run rewrite -- --raw-output FILE --prompt "…" [--strictness X] [--json]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { errorMessage } from '../src/core/error-facts.ts';
import type { ImageTextOutcome } from '../src/core/image-text.ts';
import { recommendModel } from '../src/core/model-catalog.ts';
import { MODEL_FAMILIES } from '../src/core/model-families.ts';
import { HUGGING_FACE_HUB_URL, normalizeHubUrl } from '../src/core/model-source.ts';
import { decideRewrite, DEFAULT_STRICTNESS, formatProbability, staticDefenceResult } from '../src/core/rewrite-decision.ts';
import { RISK_CATEGORIES, RISK_LEVELS, SECTION_TAGS, type RewriteResult } from '../src/core/rewrite-format.ts';
import { diffParsedRewrite } from '../src/core/rewrite-parser-stream.ts';
import { parseRewriteOutput } from '../src/core/rewrite-parser.ts';
import { shownAnalysisSections } from '../src/core/analysis-sections.ts';
import { DEFAULT_REASONING_MODE, isReasoningMode, REASONING_EXPLANATIONS, REASONING_MAX_NEW_TOKENS, REASONING_MODES, type ReasoningMode } from '../src/core/reasoning-mode.ts';
import type { StopReason, StreamUpdate } from '../src/core/rewriter-api.ts';
import { createNodeImageText, createNodeRewriter, quotedImageText, readCheckedImage, resolveRewriterModel } from './lib/node-rewriter.ts';
import { readSavedOutput } from './lib/saved-output.ts';

const USAGE = `Usage: npm run rewrite -- --image PATH --prompt TEXT [options]
       npm run rewrite -- --raw-output FILE [--prompt TEXT] [--strictness X] [--json]

Options:
  --model ID|FOLDER     catalog or Hub id (default: ${recommendModel({ runtime: 'node' }).modelId}), or a model folder
  --family NAME         family of a model outside the catalog: ${Object.keys(MODEL_FAMILIES).join(', ')}
  --hub-url URL         hub to download from (default: ${HUGGING_FACE_HUB_URL})
  --offline             use only models/ and local folders
  --reasoning MODE      what the model writes before its verdict: full (three analyses), brief (one), off (none)
                        (default: ${DEFAULT_REASONING_MODE})
  --max-new-tokens N    output limit (default: the reasoning mode's, ${REASONING_MODES.map((mode) => `${mode} ${REASONING_MAX_NEW_TOKENS[mode]}`).join(', ')})
  --no-constrain        let the model write freely (a fine-tuned model; no risk score)
  --strictness X        least P(no risk) for a pass-through, 0–1 (default: ${DEFAULT_STRICTNESS})
  --static-defence      no model: wrap the prompt in the static defence (quoting the text found in the image)
  --no-ocr              do not read the text in the image (by default OCR reads it, on this machine, and the
                        rewriter and the static defence get it as quoted data)
  --raw-output FILE     decide from a saved output instead of running a model: plain text, this command's
                        --json output, or a one-record history export (its prompt is used without --prompt)
  --stop-reason R       how the saved run ended: end-of-text, max-tokens, stopped (default: from the file,
                        else end-of-text)
  --json                print one JSON object instead of text`;

const STOP_REASONS: readonly StopReason[] = ['end-of-text', 'max-tokens', 'stopped'];

/** An unknown flag or a missing value is a bad argument (exit 2), not a failure (exit 1). */
function readArgs() {
  try {
    return { ok: true as const, parsed: parseFlags() };
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS_')) {
      return { ok: false as const, message: error.message };
    }
    throw error;
  }
}

function parseFlags() {
  return parseArgs({
    options: {
      image: { type: 'string' },
      prompt: { type: 'string' },
      model: { type: 'string', default: recommendModel({ runtime: 'node' }).modelId },
      family: { type: 'string' },
      'hub-url': { type: 'string', default: HUGGING_FACE_HUB_URL },
      offline: { type: 'boolean', default: false },
      reasoning: { type: 'string', default: DEFAULT_REASONING_MODE },
      'max-new-tokens': { type: 'string' },
      'no-constrain': { type: 'boolean', default: false },
      'static-defence': { type: 'boolean', default: false },
      'no-ocr': { type: 'boolean', default: false },
      strictness: { type: 'string', default: String(DEFAULT_STRICTNESS) },
      'raw-output': { type: 'string' },
      'stop-reason': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
}

async function main(): Promise<number> {
  const args = readArgs();
  if (!args.ok) return fail(`${args.message}\n\n${USAGE}`);
  const { values } = args.parsed;
  if (values.help) return void console.log(USAGE), 0;
  const strictness = Number(values.strictness);
  if (!(strictness >= 0 && strictness <= 1)) return fail('--strictness must be a number from 0 to 1.');
  const stopReasonFlag = values['stop-reason'];
  if (stopReasonFlag !== undefined && !STOP_REASONS.includes(stopReasonFlag as StopReason)) {
    return fail(`--stop-reason must be one of ${STOP_REASONS.join(', ')}.`);
  }
  if (!isReasoningMode(values.reasoning)) return fail(`--reasoning must be one of ${REASONING_MODES.join(', ')}.`);
  const reasoning = values.reasoning;
  if (values['raw-output'] !== undefined) {
    return redecide(values['raw-output'], values.prompt, stopReasonFlag as StopReason | undefined, strictness, values.json, reasoning);
  }

  if (!values.image || !values.prompt?.trim()) return fail(`--image and --prompt are required.\n\n${USAGE}`);
  const maxNewTokens = Number(values['max-new-tokens'] ?? REASONING_MAX_NEW_TOKENS[reasoning]);
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) return fail('--max-new-tokens must be a positive integer.');
  const hubUrl = normalizeHubUrl(values['hub-url']);
  if (!hubUrl.ok) return fail(hubUrl.message);

  // The app's check, with its messages: the file's size is checked before it is read, its header before a decode.
  const image = await readCheckedImage(values.image);
  if (typeof image === 'string') return fail(image);
  const prompt = values.prompt.trim();
  const ocr = createNodeImageText();
  const readText = values['no-ocr'] ? Promise.resolve<ImageTextOutcome>({ kind: 'off' }) : ocr.read(image);

  if (values['static-defence']) {
    const imageText = await readText;
    await ocr.dispose();
    const rewrite = staticDefenceResult(prompt, 'no-model', quotedImageText(imageText));
    if (values.json) console.log(JSON.stringify({ model: null, backend: null, dtypes: null, reasoning: null, ...rewrite, generation: null, imageText }, null, 2));
    else printReport(rewrite, null, imageText);
    return 0;
  }

  const model = await resolveRewriterModel(values.model, values.family);
  if (typeof model === 'string') return fail(model);
  // OCR's sessions are created while the model loads.
  const [rewriter, imageText] = await Promise.all([
    createNodeRewriter({ model, hubUrl: values.offline ? null : hubUrl.url, maxNewTokens }),
    readText.finally(() => ocr.dispose()),
  ]);
  let output = '';
  let parsed = parseRewriteOutput('');
  const printLevel = (update: StreamUpdate) => {
    output += update.text;
    const next = parseRewriteOutput(output);
    for (const event of diffParsedRewrite(parsed, next)) {
      if (event.type === 'level') process.stderr.write(`· risk level: ${event.level}\n`);
    }
    parsed = next;
  };
  const { rewrite, generation } = await rewriter.rewrite(
    { image, prompt, imageText },
    { constrained: !values['no-constrain'], strictness, readImageText: false, reasoning, ...(values.json ? {} : { onStream: printLevel }) },
  );
  await rewriter.dispose();

  if (values.json) {
    const { plan } = rewriter.loaded;
    console.log(JSON.stringify({ model: model.id, backend: plan.backend, dtypes: plan.dtypes, reasoning, ...rewrite, generation, imageText }, null, 2));
  } else {
    printReport(rewrite, reasoning, imageText);
    console.log(`\n${model.label}: ${generation.tokenCount} tokens in ${(generation.totalMs / 1000).toFixed(1)} s`);
  }
  return 0;
}

/** The decision on a saved output, with the JSON shape of a normal run (no model, backend or generation). */
async function redecide(
  file: string,
  promptFlag: string | undefined,
  stopReasonFlag: StopReason | undefined,
  strictness: number,
  json: boolean,
  reasoning: ReasoningMode,
): Promise<number> {
  const content = await readFile(file, 'utf8').catch(() => null);
  if (content === null) return fail(`Cannot read the saved output ${file}.`);
  let saved;
  try {
    saved = readSavedOutput(content, file);
  } catch (error) {
    return fail(errorMessage(error));
  }
  const prompt = promptFlag?.trim() || saved.prompt;
  if (!prompt) return fail(`--prompt is required: ${file} does not say which prompt it answers.`);
  const stopReason = stopReasonFlag ?? saved.stopReason ?? 'end-of-text';
  const rewrite = decideRewrite({
    rawOutput: saved.rawOutput,
    originalPrompt: prompt,
    stopReason,
    levelProbabilities: saved.levelProbabilities,
    strictness,
    imageText: quotedImageText(saved.imageText),
  });
  if (json) {
    const generation = { text: saved.rawOutput, stopReason };
    console.log(JSON.stringify({ model: null, backend: null, dtypes: null, reasoning, ...rewrite, generation, imageText: saved.imageText }, null, 2));
  } else {
    printReport(rewrite, reasoning, saved.imageText);
  }
  return 0;
}

function describeImageText(outcome: ImageTextOutcome | null): string[] {
  if (!outcome || outcome.kind === 'off') return [];
  if (outcome.kind === 'failed') return [`Text in the image: not read (${outcome.message}); the rewrite went on without it.`];
  const { lines } = outcome.reading;
  if (lines.length === 0) return ['Text in the image: none found.'];
  return ['Text found in the image (OCR; given to the rewriter as data):', ...lines.map((line) => `  "${line.text}" (${Math.round(line.confidence * 100)} %)`), ''];
}

/** `reasoning` is null when no model ran (the static defence). */
function printReport(rewrite: RewriteResult, reasoning: ReasoningMode | null, imageText: ImageTextOutcome | null = null): void {
  const { analysis, levelProbabilities } = rewrite;
  const probabilities = levelProbabilities
    ? ` (${RISK_LEVELS.map((level) => `${level} ${formatProbability(levelProbabilities[level])}`).join(', ')})`
    : '';
  const lines = [
    ...describeImageText(imageText),
    ...(reasoning ? [REASONING_EXPLANATIONS[reasoning]] : []),
    ...shownAnalysisSections(analysis, reasoning ?? DEFAULT_REASONING_MODE).map((section) => `${SECTION_TAGS[section]} ${analysis[section] || '—'}`),
    `${SECTION_TAGS.level} ${analysis.level ?? 'unknown'}${probabilities}`,
    `${SECTION_TAGS.category} ${analysis.category ? RISK_CATEGORIES[analysis.category] : 'unknown'}`,
    '',
    `Outcome: ${rewrite.outcome}`,
    rewrite.explanation,
    `${SECTION_TAGS.refined}`,
    rewrite.refinedPrompt,
  ];
  console.log(lines.join('\n'));
}

function fail(message: string): number {
  console.error(message);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
