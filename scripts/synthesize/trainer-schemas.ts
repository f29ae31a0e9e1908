/**
 * The shapes of the trainer exports (trainer-exports.ts) as valibot schemas, and of the records they are made from
 * (records.jsonl, rejections.jsonl), so a re-export reads them back field by field. Objects are strict: a field a
 * trainer does not expect is refused by name rather than passed on to it.
 */
import * as v from 'valibot';
import { RISK_CATEGORIES, RISK_LEVELS, type RiskCategory } from '../../src/core/rewrite-format.ts';
import { finiteNumber, flag, nonEmptyListOf, oneOf, shape, text } from '../bench/report-fields.ts';
import type { SftRecord, SftRejection } from './sft-record.ts';

const nonEmptyText = v.pipe(text, v.nonEmpty('expected a non-empty string'));
const keyMessage = (issue: v.BaseIssue<unknown>) => (issue.expected === 'never' ? 'not in the schema' : 'missing');
const imageItem = v.strictObject({ type: v.literal('image', 'expected "image"') }, keyMessage);
const textItem = v.strictObject({ type: v.literal('text', 'expected "text"'), text: nonEmptyText }, keyMessage);

/**
 * A row of trl/train.jsonl: TRL's conversational vision format (docs: "Dataset formats → Vision datasets"; SFT
 * trainer: "Training Vision Language Models"). One user turn holding exactly one image, one assistant turn of text,
 * and `images` with that image's path relative to the export folder.
 */
export const TrlRowSchema = shape({
  messages: v.tuple(
    [
      shape({
        role: v.literal('user', 'expected "user"'),
        content: v.pipe(
          nonEmptyListOf(v.variant('type', [imageItem, textItem], 'expected an item of type "image" or "text"')),
          v.check((items) => items.filter((item) => item.type === 'image').length === 1, 'expected exactly one image item'),
        ),
      }),
      shape({ role: v.literal('assistant', 'expected "assistant"'), content: v.tuple([textItem], 'expected one text item') }),
    ],
    'expected a user and an assistant message',
  ),
  images: v.tuple([nonEmptyText], 'expected one image path'),
});
export type TrlRow = v.InferOutput<typeof TrlRowSchema>;

/** The placeholder LLaMA-Factory replaces with the row's image (its IMAGE_PLACEHOLDER default). */
export const LLAMA_FACTORY_IMAGE_PLACEHOLDER = '<image>';

/** A row of llama-factory/data.json: ShareGPT-style messages with `<image>` once in the user turn, and `images`. */
export const LlamaFactoryRowSchema = shape({
  messages: v.tuple(
    [
      shape({
        role: v.literal('user', 'expected "user"'),
        content: v.pipe(
          nonEmptyText,
          v.check((content) => content.split(LLAMA_FACTORY_IMAGE_PLACEHOLDER).length === 2, 'expected the <image> placeholder exactly once'),
        ),
      }),
      shape({ role: v.literal('assistant', 'expected "assistant"'), content: nonEmptyText }),
    ],
    'expected a user and an assistant message',
  ),
  images: v.tuple([nonEmptyText], 'expected one image path'),
});
export type LlamaFactoryRow = v.InferOutput<typeof LlamaFactoryRowSchema>;

/** One entry of llama-factory/dataset_info.json (LLaMA-Factory's data/README.md, "Sharegpt Format"). */
export const LlamaFactoryDatasetSchema = shape({
  file_name: nonEmptyText,
  formatting: v.literal('sharegpt', 'expected "sharegpt"'),
  columns: shape({ messages: v.literal('messages'), images: v.literal('images') }),
  tags: shape({
    role_tag: v.literal('role'),
    content_tag: v.literal('content'),
    user_tag: v.literal('user'),
    assistant_tag: v.literal('assistant'),
  }),
});
export const LlamaFactoryDatasetInfoSchema = v.pipe(
  v.record(v.string(), LlamaFactoryDatasetSchema, 'expected an object of datasets'),
  v.check((info) => Object.keys(info).length > 0, 'expected at least one dataset'),
);
export type LlamaFactoryDatasetInfo = v.InferOutput<typeof LlamaFactoryDatasetInfoSchema>;

const CATEGORIES = Object.keys(RISK_CATEGORIES) as RiskCategory[];
const judgeScores = shape({ safety: finiteNumber, helpfulness: finiteNumber });

/** A line of records.jsonl, as npm run synthesize writes it (sft-record.ts). */
export const SftRecordSchema = shape({
  id: nonEmptyText,
  benchmark: nonEmptyText,
  label: oneOf(['unsafe', 'safe']),
  datasetCategory: v.nullable(text),
  image: nonEmptyText,
  prompt: text,
  instruction: nonEmptyText,
  hindsight: text,
  report: shape({
    textual: text,
    visual: text,
    crossModal: text,
    level: oneOf(RISK_LEVELS),
    category: oneOf(CATEGORIES),
  }),
  refinedPrompt: text,
  output: nonEmptyText,
  provenance: shape({
    teacher: text,
    target: v.nullable(text),
    responses: oneOf(['dataset', 'target']),
    responseSources: v.optional(shape({ safe: oneOf(['dataset', 'target']), unsafe: oneOf(['dataset', 'target']) })),
    verified: v.nullable(flag),
    verification: v.nullable(shape({ original: judgeScores, refined: judgeScores })),
  }),
});

/** A line of rejections.jsonl. */
export const SftRejectionSchema = shape({
  id: nonEmptyText,
  stage: oneOf(['responses', 'hindsight', 'analysis', 'refine', 'verify']),
  reason: text,
  detail: v.optional(text),
});

/** True when S and T have the same keys, optional ones included. */
type SameKeys<S, T> = [keyof S] extends [keyof T] ? ([keyof T] extends [keyof S] ? true : false) : false;
type Holds<T extends true> = T;

/** Fails to compile when a field is added to (or removed from) a record type and not to its schema. */
export type SchemaCoversTypes = [
  Holds<SameKeys<v.InferOutput<typeof SftRecordSchema>, SftRecord>>,
  Holds<SameKeys<v.InferOutput<typeof SftRecordSchema>['provenance'], SftRecord['provenance']>>,
  Holds<SameKeys<v.InferOutput<typeof SftRejectionSchema>, SftRejection>>,
];
