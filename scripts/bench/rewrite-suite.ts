/**
 * A whole rewrite per reasoning mode, as the app runs one: a warm engine (the app's configuration, caches on), a photo
 * it has not seen, the mode's prompt, format plan and output limit, constrained; timed from the call to the decision.
 * Run the same way in Node and in a browser worker. On the random-weight benchmark model the analyses run to their
 * token budgets, so the times are those of the longest output each mode allows; a trained model stops sooner.
 */
import { buildOutputFormatPlan } from '../../src/core/output-format-plan.ts';
import { REASONING_MAX_NEW_TOKENS, REASONING_MODES, type ReasoningMode } from '../../src/core/reasoning-mode.ts';
import { decideRewrite, DEFAULT_STRICTNESS } from '../../src/core/rewrite-decision.ts';
import { maxRefinedPromptLength } from '../../src/core/rewrite-policy.ts';
import { buildRewriteMessages } from '../../src/core/rewrite-prompt.ts';
import type { StopReason } from '../../src/core/rewriter-api.ts';
import type { VlmEngine } from '../../src/engine/vlm-engine.ts';
import { defined } from './defined.ts';

export interface RewriteRunRecord {
  reasoning: ReasoningMode;
  /** From the call to the decision: preprocessing, vision, prefill, decoding and deciding. */
  totalMs: number;
  firstTokenMs: number;
  visionMs: number;
  tokenCount: number;
  /** Of `tokenCount`, the tokens inside the format's fixed tags, which jump-forward decoding would append unasked. */
  tagTokens: number;
  stopReason: StopReason;
  complete: boolean;
}

export interface RewriteSuiteOptions {
  engine: VlmEngine;
  question: string;
  /** The warm-up photo, then a photo per measured run: at least 1 + runs × the number of modes. */
  images: readonly Blob[];
  runs: number;
  log?: (line: string) => void;
}

/** Every mode in turn: one warm-up rewrite (it fills the prompt-prefix cache with the mode's instructions), then `runs` rewrites of new photos. */
export async function runRewriteSuite(options: RewriteSuiteOptions): Promise<RewriteRunRecord[]> {
  const { engine, question, images, runs } = options;
  if (images.length < 1 + runs * REASONING_MODES.length) throw new RangeError(`${images.length} photos for ${runs} runs of ${REASONING_MODES.length} modes`);
  const log = options.log ?? (() => undefined);
  const records: RewriteRunRecord[] = [];
  let next = 1;
  for (const reasoning of REASONING_MODES) {
    const maxNewTokens = REASONING_MAX_NEW_TOKENS[reasoning];
    const outputFormat = buildOutputFormatPlan({ maxNewTokens, refinedPromptMaxChars: maxRefinedPromptLength(question), reasoning });
    const messages = buildRewriteMessages(question, null, reasoning);
    const rewrite = async (image: Blob): Promise<RewriteRunRecord> => {
      const started = performance.now();
      const result = await engine.generate({ image, messages, maxNewTokens, outputFormat }, () => undefined);
      decideRewrite({
        rawOutput: result.text,
        originalPrompt: question,
        stopReason: result.stopReason,
        levelProbabilities: result.constraint?.levelProbabilities ?? null,
        strictness: DEFAULT_STRICTNESS,
      });
      return {
        reasoning,
        totalMs: performance.now() - started,
        firstTokenMs: result.firstTokenMs,
        visionMs: result.profile.visionMs,
        tokenCount: result.tokenCount,
        tagTokens: result.profile.tagTokens,
        stopReason: result.stopReason,
        complete: result.constraint?.complete ?? false,
      };
    };
    await rewrite(defined(images[0], 'the warm-up photo'));
    for (let run = 0; run < runs; run++) {
      const record = await rewrite(defined(images[next++], 'a new photo'));
      records.push(record);
      log(`rewrite, reasoning ${reasoning} #${run + 1}: ${record.tokenCount} tokens, decision after ${Math.round(record.totalMs)} ms`);
    }
  }
  return records;
}
