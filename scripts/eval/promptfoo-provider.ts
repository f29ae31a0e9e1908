/**
 * A promptfoo custom provider that runs our rewriter in this process and returns the refined prompt, so a team on
 * promptfoo can put the rewriter in front of its own targets. In promptfooconfig.yaml:
 *
 *   providers:
 *     - id: file://scripts/eval/promptfoo-provider.ts
 *       config: { model: HuggingFaceTB/SmolVLM-256M-Instruct, strictness: 0.8, constrained: true, ocr: true }
 *   tests:
 *     - vars: { image: path/to/image.png }
 *
 * The prompt is the user's question; `vars.image` is the image's path. The output is the prompt to send on (the
 * rewrite, the original when it passed through, or the static defence), with the decision in `metadata`.
 */
import { recommendModel } from '../../src/core/model-catalog.ts';
import { HUGGING_FACE_HUB_URL } from '../../src/core/model-source.ts';
import { DEFAULT_STRICTNESS } from '../../src/core/rewrite-decision.ts';
import { createNodeRewriter, resolveRewriterModel, type NodeRewriter } from '../lib/node-rewriter.ts';

export interface RewriterProviderConfig {
  /** Catalog id, Hub id (with `family`) or model folder. */
  model?: string;
  family?: string;
  strictness?: number;
  constrained?: boolean;
  ocr?: boolean;
  /** Only models/ and local folders. */
  offline?: boolean;
  hubUrl?: string;
}

/** The parts of promptfoo's provider interface this provider uses (promptfoo is not a dependency). */
export interface ProviderOptions {
  id?: string;
  config?: RewriterProviderConfig;
}

export interface CallApiContext {
  vars?: Record<string, unknown>;
}

export interface ProviderResponse {
  output?: string;
  error?: string;
  tokenUsage?: { total: number; prompt: number; completion: number };
  metadata?: Record<string, unknown>;
}

export default class VlmGuardRewriterProvider {
  readonly #id: string;
  readonly #config: RewriterProviderConfig;
  #rewriter: Promise<NodeRewriter> | null = null;

  constructor(options: ProviderOptions = {}) {
    this.#config = options.config ?? {};
    this.#id = options.id ?? `vlmguard-rewriter:${this.#config.model ?? recommendModel({ runtime: 'node' }).modelId}`;
  }

  id(): string {
    return this.#id;
  }

  async callApi(prompt: string, context?: CallApiContext): Promise<ProviderResponse> {
    const image = context?.vars?.['image'];
    if (typeof image !== 'string' || image === '') return { error: 'vars.image must be the path of the image to rewrite for.' };
    try {
      const rewriter = await this.#load();
      const { record, rewrite } = await rewriter.rewrite(
        { image, prompt },
        {
          constrained: this.#config.constrained ?? true,
          strictness: this.#config.strictness ?? DEFAULT_STRICTNESS,
          readImageText: this.#config.ocr ?? true,
        },
      );
      return {
        output: record.finalPrompt,
        tokenUsage: { total: record.newTokens, prompt: 0, completion: record.newTokens },
        metadata: { outcome: record.outcome, level: record.level, category: record.category, explanation: rewrite.explanation },
      };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Frees the model (promptfoo ends the process anyway; tests and long-lived hosts call this). */
  async dispose(): Promise<void> {
    const loading = this.#rewriter;
    this.#rewriter = null;
    await loading?.then((rewriter) => rewriter.dispose(), () => undefined);
  }

  #load(): Promise<NodeRewriter> {
    this.#rewriter ??= (async () => {
      const model = await resolveRewriterModel(this.#config.model ?? recommendModel({ runtime: 'node' }).modelId, this.#config.family);
      if (typeof model === 'string') throw new Error(model);
      return createNodeRewriter({ model, hubUrl: this.#config.offline ? null : (this.#config.hubUrl ?? HUGGING_FACE_HUB_URL) });
    })();
    // A failed load is not kept: the next call tries again.
    this.#rewriter.catch(() => {
      this.#rewriter = null;
    });
    return this.#rewriter;
  }
}
