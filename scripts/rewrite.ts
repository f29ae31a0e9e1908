/**
 * Rewrites one image + prompt from the shell with the same core and engine as the app:
 *   npm run rewrite -- --image photo.jpg --prompt "…" [--model id|folder] [--family smolvlm] [--json]
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { customModel, findModel, recommendModel, type ModelRecord } from '../src/core/model-catalog.ts';
import { familyFromModelType, MODEL_FAMILIES, type ModelFamily } from '../src/core/model-families.ts';
import { HUGGING_FACE_HUB_URL, normalizeHubUrl, type ModelSource } from '../src/core/model-source.ts';
import { RISK_CATEGORIES, SECTION_TAGS, type RewriteResult } from '../src/core/rewrite-format.ts';
import { diffParsedRewrite, parseRewriteOutput } from '../src/core/rewrite-parser.ts';
import { decideRewrite, describeFallbackReason } from '../src/core/rewrite-policy.ts';
import { buildRewriteMessages, DEFAULT_MAX_NEW_TOKENS } from '../src/core/rewrite-prompt.ts';
import { VlmEngine } from '../src/engine/vlm-engine.ts';

const MODELS_DIR = fileURLToPath(new URL('../models/', import.meta.url));
const USAGE = `Usage: npm run rewrite -- --image PATH --prompt TEXT [options]

Options:
  --model ID|FOLDER     catalog or Hub id (default: ${recommendModel({ runtime: 'node' }).modelId}), or a model folder
  --family NAME         family of a model outside the catalog: ${Object.keys(MODEL_FAMILIES).join(', ')}
  --hub-url URL         hub to download from (default: ${HUGGING_FACE_HUB_URL})
  --offline             use only models/ and local folders
  --max-new-tokens N    output limit (default: ${DEFAULT_MAX_NEW_TOKENS})
  --json                print one JSON object instead of text`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      image: { type: 'string' },
      prompt: { type: 'string' },
      model: { type: 'string', default: recommendModel({ runtime: 'node' }).modelId },
      family: { type: 'string' },
      'hub-url': { type: 'string', default: HUGGING_FACE_HUB_URL },
      offline: { type: 'boolean', default: false },
      'max-new-tokens': { type: 'string', default: String(DEFAULT_MAX_NEW_TOKENS) },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void console.log(USAGE), 0;
  if (!values.image || !values.prompt?.trim()) return fail(`--image and --prompt are required.\n\n${USAGE}`);
  const maxNewTokens = Number(values['max-new-tokens']);
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) return fail('--max-new-tokens must be a positive integer.');
  const hubUrl = normalizeHubUrl(values['hub-url']);
  if (!hubUrl.ok) return fail(hubUrl.message);

  const model = await resolveModel(values.model, values.family);
  if (typeof model === 'string') return fail(model);
  const source: ModelSource = { localPath: MODELS_DIR, hubUrl: values.offline ? null : hubUrl.url };
  const image = await readFile(values.image).catch(() => null);
  if (!image) return fail(`Cannot read the image ${values.image}.`);
  const prompt = values.prompt.trim();

  const engine = new VlmEngine({ probeCapabilities: async () => ({ runtime: 'node' }) });
  const loaded = await engine.load({ model, source, preference: 'auto' }, () => undefined);
  let output = '';
  let parsed = parseRewriteOutput('');
  const generation = await engine.generate(
    { image: new Blob([new Uint8Array(image)]), messages: buildRewriteMessages(prompt), maxNewTokens },
    (update) => {
      output += update.text;
      const next = parseRewriteOutput(output);
      if (!values.json) {
        for (const event of diffParsedRewrite(parsed, next)) {
          if (event.type === 'level') process.stderr.write(`· risk level: ${event.level}\n`);
        }
      }
      parsed = next;
    },
  );
  await engine.dispose();
  const rewrite = decideRewrite(parseRewriteOutput(generation.text), { originalPrompt: prompt, stopReason: generation.stopReason });

  if (values.json) {
    console.log(JSON.stringify({ model: model.id, backend: loaded.plan.backend, dtypes: loaded.plan.dtypes, ...rewrite, generation }, null, 2));
  } else {
    printReport(rewrite, model, generation.tokenCount, generation.totalMs);
  }
  return 0;
}

async function resolveModel(idOrFolder: string, family: string | undefined): Promise<ModelRecord | string> {
  if (family !== undefined && !(family in MODEL_FAMILIES)) return `Unknown --family ${family}.`;
  const folder = path.resolve(idOrFolder);
  if (existsSync(path.join(folder, 'config.json'))) {
    const config = JSON.parse(await readFile(path.join(folder, 'config.json'), 'utf8')) as { model_type?: string };
    const detected = familyFromModelType(config.model_type ?? '');
    const chosen = (family as ModelFamily | undefined) ?? detected;
    if (!chosen) return `${folder} holds a "${config.model_type}" model; pass --family if it is one of ${Object.keys(MODEL_FAMILIES).join(', ')}.`;
    // An absolute path is used as is by transformers.js; the record keeps the catalog's dtypes where it matches.
    const known = findModel(path.relative(MODELS_DIR, folder));
    return { ...(known ?? customModel(folder, chosen)), id: folder };
  }
  const known = findModel(idOrFolder);
  if (known) return known;
  if (!family) return `${idOrFolder} is not in the catalog and not a folder; pass --family to use it as a Hub id.`;
  return customModel(idOrFolder, family as ModelFamily);
}

function printReport(rewrite: RewriteResult, model: ModelRecord, tokens: number, ms: number): void {
  const { analysis } = rewrite;
  const lines = [
    `${SECTION_TAGS.textual} ${analysis.textual || '—'}`,
    `${SECTION_TAGS.visual} ${analysis.visual || '—'}`,
    `${SECTION_TAGS.crossModal} ${analysis.crossModal || '—'}`,
    `${SECTION_TAGS.level} ${analysis.level ?? 'unknown'}`,
    `${SECTION_TAGS.category} ${analysis.category ? RISK_CATEGORIES[analysis.category] : 'unknown'}`,
    '',
    `Outcome: ${rewrite.outcome}${rewrite.outcome === 'fallback' ? ` (${describeFallbackReason(rewrite.reason)})` : ''}`,
    `${SECTION_TAGS.refined}`,
    rewrite.refinedPrompt,
    '',
    `${model.label}: ${tokens} tokens in ${(ms / 1000).toFixed(1)} s`,
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
