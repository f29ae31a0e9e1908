/**
 * Reads the teacher's stage replies (the formats teacher-prompts.ts asks for). Tolerant of the form — case, Markdown
 * around a label, a reasoning block, a preamble, a field running on over the next lines — and strict about the
 * content: a missing or empty field, a field given twice with different values, a level or category that is not one
 * of the format's, or a report that contradicts itself is a reason to reject the item, never a guess.
 */
import { RISK_CATEGORIES, RISK_LEVELS, type RiskCategory, type RiskLevel } from '../../src/core/rewrite-format.ts';
import type { RiskReport } from './sft-record.ts';
import { REPLY_FIELDS } from './teacher-prompts.ts';

/** What a stage made of an item: its result, or why the item is rejected there. */
export type StageOutcome<T> = { ok: true; value: T } | StageRejection;

export interface StageRejection {
  ok: false;
  reason: string;
  detail?: string;
}

export function reject(reason: string, detail?: string): StageRejection {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
}

/** The reply a rejection quotes: its start, enough to see what went wrong. */
export function replyExcerpt(reply: string): string {
  const excerpt = reply.slice(0, 300);
  return `the reply: ${JSON.stringify(excerpt)}${reply.length > excerpt.length ? ' …' : ''}`;
}

/** The words of a label, matched in any case with spaces, '_' or '-' between them. */
function labelPattern(label: string): string {
  return label.split(/[\s-]+/).map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s_-]*');
}

/** Blank space inside a value becomes one space; emphasis around it goes. */
function cleanValue(value: string): string {
  return value.replace(/\s+/g, ' ').replace(/^[\s*_`]+|[\s*_`]+$/g, '');
}

/**
 * Each label's value: the text after "LABEL:" up to the next label line or a blank line. Lines before the first
 * label are a preamble and ignored. A string when the reply cannot be read: a label missing, empty, or given twice
 * with different values.
 */
export function readLabelledFields<L extends string>(reply: string, labels: readonly L[]): Map<L, string> | string {
  const visible = reply.replace(/<think>[\s\S]*?<\/think>/gi, '').replace(/\r\n?/g, '\n');
  const line = new RegExp(`^[\\s#>*_\`-]*(${labels.map(labelPattern).join('|')})[\\s*_\`]*:(.*)$`, 'i');
  const compact = (text: string) => text.toUpperCase().replace(/[\s_-]+/g, '');
  const byCompact = new Map(labels.map((label) => [compact(label), label]));
  const values: Array<[L, string[]]> = [];
  let open: string[] | null = null;
  for (const text of visible.split('\n')) {
    const field = line.exec(text);
    const label = field ? byCompact.get(compact(field[1] ?? '')) : undefined;
    if (field && label !== undefined) {
      open = [field[2] ?? ''];
      values.push([label, open]);
    } else if (text.trim() === '') {
      open = null;
    } else {
      open?.push(text);
    }
  }
  const fields = new Map<L, string>();
  for (const [label, parts] of values) {
    const value = cleanValue(parts.join(' '));
    const earlier = fields.get(label);
    if (earlier !== undefined && earlier !== value) return `the teacher's reply gives ${label} twice, differently`;
    fields.set(label, value);
  }
  const missing = labels.find((label) => !fields.get(label));
  if (missing !== undefined) return fields.has(missing) ? `the teacher's ${missing} line is empty` : `the teacher's reply has no ${missing}: line`;
  return fields;
}

function field<L extends string>(fields: Map<L, string>, label: L): string {
  return fields.get(label) ?? '';
}

export interface Hindsight {
  whyUnsafe: string;
  whySafe: string;
}

export function readHindsightReply(reply: string): StageOutcome<Hindsight> {
  const [unsafe, safe] = REPLY_FIELDS.hindsight;
  const fields = readLabelledFields(reply, REPLY_FIELDS.hindsight);
  if (typeof fields === 'string') return reject(`hindsight: ${fields}`, replyExcerpt(reply));
  return { ok: true, value: { whyUnsafe: field(fields, unsafe), whySafe: field(fields, safe) } };
}

/** The hindsight analysis as the record keeps it and the analysis stage quotes it. */
export function hindsightText(hindsight: Hindsight): string {
  const [unsafe, safe] = REPLY_FIELDS.hindsight;
  return `${unsafe}: ${hindsight.whyUnsafe}\n${safe}: ${hindsight.whySafe}`;
}

/** A level or category word: its case and a final full stop aside, exactly one of the allowed values. */
function oneOf<T extends string>(value: string, allowed: readonly T[]): T | null {
  const word = value.toLowerCase().replace(/\.$/, '').trim();
  return (allowed as readonly string[]).includes(word) ? (word as T) : null;
}

const CATEGORIES = Object.keys(RISK_CATEGORIES) as RiskCategory[];

export function readAnalysisReply(reply: string): StageOutcome<RiskReport> {
  const [textual, visual, crossModal, levelLabel, categoryLabel] = REPLY_FIELDS.analysis;
  const fields = readLabelledFields(reply, REPLY_FIELDS.analysis);
  if (typeof fields === 'string') return reject(`risk report: ${fields}`, replyExcerpt(reply));
  const level = oneOf<RiskLevel>(field(fields, levelLabel), RISK_LEVELS);
  if (level === null) return reject(`risk report: the LEVEL is not one of ${RISK_LEVELS.join(', ')}`, `LEVEL: ${field(fields, levelLabel)}`);
  const category = oneOf<RiskCategory>(field(fields, categoryLabel), CATEGORIES);
  if (category === null) return reject(`risk report: the CATEGORY is not one of the format's`, `CATEGORY: ${field(fields, categoryLabel)}`);
  if ((level === 'none') !== (category === 'none')) {
    return reject('risk report: it contradicts itself (the category is none exactly when the level is)', `LEVEL: ${level}, CATEGORY: ${category}`);
  }
  return {
    ok: true,
    value: { textual: field(fields, textual), visual: field(fields, visual), crossModal: field(fields, crossModal), level, category },
  };
}

export function readRefineReply(reply: string): StageOutcome<string> {
  const [refined] = REPLY_FIELDS.refine;
  const fields = readLabelledFields(reply, REPLY_FIELDS.refine);
  if (typeof fields === 'string') return reject(`refined prompt: ${fields}`, replyExcerpt(reply));
  return { ok: true, value: field(fields, refined) };
}
