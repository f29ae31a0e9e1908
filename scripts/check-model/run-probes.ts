/** Runs every probe case through a loaded rewriter twice, unconstrained and constrained, one rewrite at a time. */
import type { ImageTextOutcome } from '../../src/core/image-text.ts';
import { errorMessage } from '../../src/core/error-facts.ts';
import type { NodeRewriter } from '../lib/node-rewriter.ts';
import { renderProbeImage, type ProbeCase } from './probe-set.ts';
import { describeDecision, isParsedComplete, PROBE_MODES, type ProbeRun } from './probe-summary.ts';

export interface ProbeSettings {
  strictness: number;
  /** Read the text in each image (once, for both modes) and give it to the rewriter. */
  ocr: boolean;
}

/** A probe the model failed to run on (exit 1); the message names the probe and the mode. */
export class ProbeRunError extends Error {
  override readonly name = 'ProbeRunError';
}

export async function runProbes(
  rewriter: NodeRewriter,
  probes: readonly ProbeCase[],
  settings: ProbeSettings,
  onRun: (run: ProbeRun) => void = () => undefined,
): Promise<ProbeRun[]> {
  const runs: ProbeRun[] = [];
  for (const probe of probes) {
    const image = await renderProbeImage(probe);
    let imageText: ImageTextOutcome | undefined;
    for (const mode of PROBE_MODES) {
      let result;
      try {
        result = await rewriter.rewrite(
          { image, prompt: probe.prompt, ...(imageText ? { imageText } : {}) },
          { constrained: mode === 'constrained', strictness: settings.strictness, readImageText: settings.ocr },
        );
      } catch (error) {
        throw new ProbeRunError(`${rewriter.model.id} failed on the probe ${probe.id} (${mode}): ${errorMessage(error)}`, { cause: error });
      }
      imageText = result.imageText;
      const { generation } = result;
      const run: ProbeRun = {
        probe: probe.id,
        label: probe.label,
        mode,
        ...describeDecision(result.rewrite),
        parsedComplete: isParsedComplete(generation.text),
        constraintComplete: generation.constraint?.complete ?? null,
        stopReason: generation.stopReason,
        ms: generation.totalMs,
        tokens: generation.tokenCount,
        raw: generation.text,
      };
      runs.push(run);
      onRun(run);
    }
  }
  return runs;
}
