import { ocrSection } from './report-ocr-markdown.ts';
import type {
  BenchReport,
  BundleReport,
  ConfigReport,
  ConstrainedGenerationReport,
  LongTaskCount,
  RecipeReport,
  RewriteReport,
  SessionOptionReport,
} from './report-schema.ts';
import { DEFAULT_OPTIONS_VARIANT } from './report-recipes.ts';
import type { Summary } from './stats.ts';

/** The report as Markdown tables: what the README's Performance section shows. */
export function renderMarkdown(report: BenchReport): string {
  const { machine, model } = report;
  const lines: string[] = [
    `# Benchmark (${report.mode}) — ${report.createdAt}`,
    '',
    `Command: \`${report.command}\` (${Math.round(report.durationS)} s). Machine: ${machine.cpu}, ${machine.cores} cores, ` +
      `${machine.memoryGiB} GiB, ${machine.os}; Node ${machine.node}; ${machine.chromium ?? 'no Chromium'}; GPU: ${machine.gpu ?? 'none'}; ` +
      `load average at start ${machine.loadAverage.map((value) => value.toFixed(1)).join(' / ')}.`,
    `Packages: ${Object.entries(machine.packages).map(([name, version]) => `${name} ${version}`).join(', ')}.`,
    `Model: \`${model.id}\` (${model.kind}, random weights)${model.promptTokens > 0 ? `, ${model.promptTokens}-token rewrite prompt` : ''}; ` +
      `${report.settings.runs} measured runs after a warm-up, ${report.settings.newTokens} forced new tokens, every cold rewrite on a ` +
      `new ${report.settings.image.width}×${report.settings.image.height} JPEG. ` +
      'Cells: median (min–max).' +
      (report.sections.includes('standard') ? '' : ` Sections run: ${report.sections.join(', ')}.`),
  ];
  if (report.environments.length > 0) {
    lines.push(
      '',
      '## Per environment',
      '',
      '| environment | config | threads | load | preprocess | vision encode | first token | decode tok/s | peak memory | main-thread long tasks (load / generate) |',
      '|---|---|---|---|---|---|---|---|---|---|',
    );
  }
  for (const environment of report.environments) {
    for (const config of environment.configs) {
      lines.push(
        `| ${environment.name} | ${config.name} | ${environment.threads ?? '—'} | ${ms(config.loadMs)} | ${ms(config.preprocessMs)} | ` +
          `${ms(config.visionMs)} | ${ms(config.firstTokenMs)} | ${num(config.decodeTokensPerSecond, 1)} | ${memory(config)} | ` +
          `${environment.longTasks ? `${longTasks(environment.longTasks.load)} / ${longTasks(environment.longTasks.generate)}` : 'n/a (no main thread)'} |`,
      );
    }
  }

  const { rawLoop, officialConfig, bandwidth } = report.comparisons;
  if (rawLoop.length > 0) {
    lines.push(
      '',
      '## Our engine vs a raw onnxruntime loop (same ONNX files, same inputs, greedy)',
      '',
      '| environment | engine tok/s | raw tok/s | decode ratio | engine first token (without preprocessing) | raw first token | first-token ratio | overhead per token | overhead at first token | same tokens |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...rawLoop.map(
        (row) =>
          `| ${row.environment} | ${num(row.engine.decodeTokensPerSecond, 1)} | ${num(row.raw.decodeTokensPerSecond, 1)} | ${ratio(row.decodeRatio)} | ` +
          `${ms(row.engine.firstTokenMsWithoutPreprocess)} | ${ms(row.raw.firstTokenMs)} | ${ratio(row.firstTokenRatio)} | ` +
          `${row.overheadPerTokenMs.toFixed(2)} ms | ${Math.round(row.overheadAtFirstTokenMs)} ms | ${row.sameTokens ? 'yes' : 'no'} |`,
      ),
    );
  }
  if (officialConfig.length > 0) {
    lines.push('', '## Our configuration vs the official example\'s, on one large photo', '');
    lines.push('| environment | image | configuration | tiles | prompt tokens | first token | total | speed-up (first token / total) |', '|---|---|---|---|---|---|---|---|');
    for (const row of officialConfig) {
      const image = `${row.image.width}×${row.image.height}`;
      lines.push(
        `| ${row.environment} | ${image} | ${row.official.label} | ${row.official.tiles} | ${row.official.promptTokens} | ${ms(row.official.firstTokenMs)} | ${ms(row.official.totalMs)} | — |`,
        `| ${row.environment} | ${image} | ${row.ours.label} (${row.ours.dtypes}) | ${row.ours.tiles} | ${row.ours.promptTokens} | ${ms(row.ours.firstTokenMs)} | ${ms(row.ours.totalMs)} | ${ratio(row.firstTokenSpeedup)} / ${ratio(row.totalSpeedup)} |`,
      );
    }
  }
  if (bandwidth.length > 0) {
    lines.push(
      '',
      '## Decode speed vs the memory-bandwidth limit',
      '',
      '| environment | config | bytes read per token (weights + KV) | memory bandwidth | limit tok/s | measured tok/s | % of limit |',
      '|---|---|---|---|---|---|---|',
      ...bandwidth.map(
        (row) =>
          `| ${row.environment} | ${row.config} | ${mb(row.weightBytesPerToken)} + ${mb(row.kvBytesPerToken)} | ${row.bandwidthGBps.toFixed(1)} GB/s | ` +
          `${row.limitTokensPerSecond.toFixed(0)} | ${row.decodeTokensPerSecond.toFixed(1)} | ${row.percentOfLimit.toFixed(1)} % |`,
      ),
      '',
      `Bandwidth: ${[...new Set(bandwidth.map((row) => `${row.environment}: ${row.bandwidthMethod}`))].join('; ')}.`,
    );
  }
  if (report.optimisations.length > 0) {
    lines.push(
      '',
      '## Speed-ups, before → after',
      '',
      '| change | environment | scenario | metric | before | after | speed-up | same tokens | in the engine | notes |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...report.optimisations.map(
        (row) =>
          `| ${row.name} | ${row.environment} | ${row.scenario} | ${row.metric} | ${ms(row.before)} | ${ms(row.after)} | ${row.speedup.toFixed(2)}× | ` +
          `${row.sameTokens === null ? 'n/a' : row.sameTokens ? 'yes' : '**no**'} | ${row.kept ? 'yes' : 'no'} | ${row.note} |`,
      ),
    );
  }
  if (report.bundle) lines.push('', ...bundleSection(report.bundle));
  if (report.recipes.length > 0) lines.push('', ...recipeSection(report.recipes));
  if (report.sessionOptions.length > 0) lines.push('', ...sessionOptionSection(report.sessionOptions));
  if (report.rewrites.length > 0) lines.push('', ...rewriteSection(report.rewrites));
  if (report.constrained.length > 0) lines.push('', ...constrainedSection(report.constrained));
  if (report.ocr.length > 0) lines.push('', ...ocrSection(report.ocr));
  if (report.missing.length > 0) {
    lines.push('', '## Not measured', '', ...report.missing.map((item) => `- ${item.what}: ${item.why}`));
  }
  if (model.differencesFromRealExport.length > 0) {
    lines.push('', '## How the random model differs from a real export', '', ...model.differencesFromRealExport.map((item) => `- ${item}`));
  }
  return `${lines.join('\n')}\n`;
}

function recipeSection(rows: readonly RecipeReport[]): string[] {
  return [
    '## Recipes: the raw onnxruntime loop on each dtype (same request, same threads, greedy)',
    '',
    '| environment | recipe (embed / vision / decoder) | vision encode | first token | decode tok/s | tokens equal to fp32\'s, from the start |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.environment} | ${row.recipe} (${row.dtypes.embed_tokens} / ${row.dtypes.vision_encoder} / ${row.dtypes.decoder_model_merged}) | ` +
        `${ms(row.visionMs)} | ${ms(row.firstTokenMs)} | ${num(row.decodeTokensPerSecond, 1)} | ${row.tokensAsFp32} of ${row.newTokens} |`,
    ),
    '',
    'q8 quantizes each call\'s activations with one scale (DynamicQuantizeLinear), so its tokens may leave fp32\'s, and a prompt ' +
      'run in two parts computes other numbers than the same prompt run whole; the engine therefore prefills every prompt in the ' +
      'same parts (instructions, image, the rest), cached or not, so a reused prefix changes nothing. q4 and fp32 do neither.',
  ];
}

function sessionOptionSection(rows: readonly SessionOptionReport[]): string[] {
  /** Above 1 is faster: decode speed over the defaults', the defaults' first-token time over this row's. */
  const versusDefaults = (row: SessionOptionReport) => {
    const reference = rows.find((other) => other.environment === row.environment && other.variant === DEFAULT_OPTIONS_VARIANT);
    if (!reference) return 'n/a | n/a';
    const decode = row.decodeTokensPerSecond.median / reference.decodeTokensPerSecond.median;
    const firstToken = reference.firstTokenMs.median / row.firstTokenMs.median;
    return `${decode.toFixed(2)}× | ${firstToken.toFixed(2)}×`;
  };
  return [
    '## Session options: the raw onnxruntime loop on the CPU recipe under each option (same request, greedy)',
    '',
    "| environment | variant | option | dtypes (embed / vision / decoder) | session creation | vision encode | first token | decode tok/s | decode vs defaults | first token vs defaults | tokens equal to the defaults', from the start |",
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.environment} | ${row.variant} | \`${row.option}\` | ${row.dtypes.embed_tokens} / ${row.dtypes.vision_encoder} / ${row.dtypes.decoder_model_merged} | ` +
        `${ms(row.loadMs)} | ${ms(row.visionMs)} | ${ms(row.firstTokenMs)} | ${num(row.decodeTokensPerSecond, 1)} | ${versusDefaults(row)} | ` +
        `${row.tokensAsDefaults} of ${row.newTokens} |`,
    ),
    '',
    'Ratios are of medians; above 1 is faster than the defaults. The app passes no session options: it runs as the defaults row.',
  ];
}

function bundleSection(bundle: BundleReport): string[] {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  return [
    '## The page\'s main-thread JavaScript (production build, gzip -9)',
    '',
    '| file | size | gzipped |',
    '|---|---|---|',
    ...bundle.files.map((file) => `| \`${file.file}\` | ${kb(file.bytes)} | ${kb(file.gzipBytes)} |`),
    `| **total** | | **${kb(bundle.gzipBytes)}**: ≤ ${kb(bundle.goalGzipBytes)} ${bundle.goalMet ? 'met' : '**not met**'} |`,
    '',
    'The scripts index.html runs and preloads; the rewriter\'s worker (transformers.js, onnxruntime) and the chunks loaded on demand are not counted.',
  ];
}

function rewriteSection(rows: readonly RewriteReport[]): string[] {
  return [
    '## A whole rewrite per reasoning mode (warm engine, a new photo, constrained, call to decision)',
    '',
    '| environment | reasoning | output limit | tokens written | of them in tags | vision encode | first token | call to decision | jump-forward would save at most | complete | goal |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.environment} | ${row.reasoning} | ${row.maxNewTokens} | ${num(row.tokenCount, 0)} | ${row.tagTokens ? num(row.tagTokens, 0) : '—'} | ` +
        `${ms(row.visionMs)} | ${ms(row.firstTokenMs)} | ${ms(row.totalMs)} | ${row.jumpForwardSavingMs ? ms(row.jumpForwardSavingMs) : '—'} | ${row.completeRuns} of ${row.runs} | ${row.goalMs === null ? '—' : `≤ ${(row.goalMs / 1000).toFixed(0)} s: ${row.goalMet ? 'met' : '**not met**'}`} |`,
    ),
    '',
    'The random-weight model writes every analysis to its token budget, so these are the longest outputs each mode allows; ' +
      'a trained rewriter stops each section sooner. Tag tokens are those chosen inside the format\'s fixed text; jump-forward ' +
      'decoding would append them without asking the model, saving at most their share of the decoding time.',
  ];
}

function constrainedSection(rows: readonly ConstrainedGenerationReport[]): string[] {
  const first = rows[0];
  const budgets = first ? Object.entries(first.plan.budgets).map(([section, tokens]) => `${section} ${tokens}`).join(', ') : '';
  const goals = first ? `setup ≤ ${first.goals.setupMs} ms / overhead ≤ ${first.goals.overheadPercent} %` : '';
  return [
    '## Constrained vs unconstrained generation (same number of new tokens)',
    '',
    `| environment | config | vocabulary (with text / free text / section closers) | token-table setup at load (first load) | new tokens N | complete | constrained decode tok/s | unconstrained decode tok/s | decode overhead | mask per token (share of a token) | goals: ${goals} |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.environment} | ${row.config} | ${row.vocabulary.size} (${row.vocabulary.writable} / ${row.vocabulary.freeText} / ${row.vocabulary.closing}) | ` +
        `${ms(row.setupMs)} (${Math.round(row.firstSetupMs)} ms) | ${num(row.newTokens, 0)} | ${row.completeRuns}/${row.runs} | ` +
        `${num(row.constrainedDecodeTokensPerSecond, 1)} | ${num(row.unconstrainedDecodeTokensPerSecond, 1)} | ${percent(row.overheadPercent)} | ` +
        `${num(row.maskMsPerToken, 2)} ms (${percent(row.maskSharePercent)}) | ${met(row.goals.setupMet)} / ${met(row.goals.overheadMet)} ` +
        `(mask share alone: ${met(row.goals.maskShareMet)}) |`,
    ),
    '',
    `Each pair: a constrained run with the app's format plan (output limit ${first?.plan.maxNewTokens ?? '?'} tokens; free-section budgets ${budgets}; ` +
      `refined prompt ≤ ${first?.plan.refinedPromptMaxChars ?? '?'} characters), no forced length, which ends with the format's end token after N tokens, ` +
      'and an unconstrained run forced to exactly N tokens (a forced minimum would suppress the end token the format ends with); same photo and ' +
      'prompt, every run cold; the first pair runs the constrained one first to learn N, later pairs alternate which goes first. ' +
      'Decode tok/s = (N − 1) / (total − time to first token); overhead = 1 − constrained ÷ unconstrained, per pair. ' +
      'The mask is timed inside ConstrainedDecoder (maskLogits + accept); its share is the slowdown it alone causes, within each constrained ' +
        'run (mask ÷ the rest of the time per token), which a busy phase during the other run of the pair cannot move. ' +
      'Setup goal: every load, the first included; overhead goal: the median decode overhead (and, in brackets, the median mask share).',
    '',
    'Where the time per token goes (ms per generated token, constrained / unconstrained run of each pair):',
    '',
    '| environment | unconstrained time per decoded token | mask (ConstrainedDecoder) | logits-processor step | streamer text decoding | mask per step, by segment (steps) |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.environment} | ${(1000 / row.unconstrainedDecodeTokensPerSecond.median).toFixed(2)} ms | ${num(row.maskMsPerToken, 3)} | ` +
        `${num(row.perTokenMs.processors.constrained, 3)} / ${num(row.perTokenMs.processors.unconstrained, 3)} | ` +
        `${num(row.perTokenMs.textDecode.constrained, 3)} / ${num(row.perTokenMs.textDecode.unconstrained, 3)} | ` +
        `${Object.entries(row.maskBySegment).map(([kind, entry]) => `${kind} ${entry.msPerStep.toFixed(2)} (${entry.steps})`).join(', ')} |`,
    ),
  ];
}

function met(value: boolean): string {
  return value ? 'met' : '**not met**';
}

function percent(summary: Summary): string {
  // No "-0.0": a median of -0.01 % reads as none.
  const fixed = (value: number) => (Math.abs(value) < 0.05 ? 0 : value).toFixed(1);
  return summary.n === 1 ? `${fixed(summary.median)} %` : `${fixed(summary.median)} % (${fixed(summary.min)}–${fixed(summary.max)})`;
}

function ms(summary: Summary): string {
  const format = (value: number) => (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);
  return summary.n === 1 ? format(summary.median) : `${format(summary.median)} (${format(summary.min)}–${format(summary.max)})`;
}

function num(summary: Summary, digits: number): string {
  return summary.n === 1
    ? summary.median.toFixed(digits)
    : `${summary.median.toFixed(digits)} (${summary.min.toFixed(digits)}–${summary.max.toFixed(digits)})`;
}

function ratio(summary: Summary): string {
  return `${summary.median.toFixed(2)} (${summary.min.toFixed(2)}–${summary.max.toFixed(2)})`;
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e6 ? 2 : 0)} MB`;
}

function memory(config: ConfigReport): string {
  return config.peakMemoryMB === null ? 'n/a' : `${Math.round(config.peakMemoryMB)} MB (${config.memoryMeasure})`;
}

function longTasks(count: LongTaskCount): string {
  return `${count.count} (${Math.round(count.totalMs)} ms)`;
}
