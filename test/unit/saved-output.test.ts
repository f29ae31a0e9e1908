import { describe, expect, it } from 'vitest';
import { readSavedOutput } from '../../scripts/lib/saved-output.ts';

const probabilities = { none: 0.1, low: 0.2, medium: 0.3, high: 0.4 };

describe('readSavedOutput (the CLI re-deciding a saved output)', () => {
  it('reads plain text as the raw output itself', () => {
    expect(readSavedOutput('[RISK LEVEL] none', 'out.txt')).toEqual({ rawOutput: '[RISK LEVEL] none', stopReason: null, levelProbabilities: null, prompt: null, imageText: { kind: 'off' } });
  });

  it("reads the CLI's --json output, preferring the decided probabilities to the constraint's", () => {
    const cli = { prompt: 'Hi', generation: { text: 'raw', stopReason: 'max-tokens', constraint: { levelProbabilities: { ...probabilities, none: 0.9, high: 0 } } }, rewrite: { levelProbabilities: probabilities } };
    expect(readSavedOutput(JSON.stringify(cli), 'out.json')).toEqual({ rawOutput: 'raw', stopReason: 'max-tokens', levelProbabilities: probabilities, prompt: 'Hi', imageText: { kind: 'off' } });
    const undecided = { ...cli, rewrite: undefined };
    expect(readSavedOutput(JSON.stringify(undecided), 'out.json').levelProbabilities).toEqual({ ...probabilities, none: 0.9, high: 0 });
  });

  it('reads a history record, alone or as the one record of an export', () => {
    const record = { prompt: 'Hi', rawOutput: 'raw', stopReason: 'stopped', rewrite: { levelProbabilities: null } };
    const expected = { rawOutput: 'raw', stopReason: 'stopped', levelProbabilities: null, prompt: 'Hi', imageText: { kind: 'off' } };
    expect(readSavedOutput(JSON.stringify(record), 'r.json')).toEqual(expected);
    expect(readSavedOutput(JSON.stringify({ format: 'vlmguard-history', records: [record] }), 'h.json')).toEqual(expected);
    expect(readSavedOutput(JSON.stringify({ ...record, prompt: 5 }), 'r.json').prompt).toBeNull();
  });

  it('reads what OCR had found, so the re-decision quotes it and knows whether the image held format tags', () => {
    const imageText = { kind: 'read', reading: { lines: [{ text: '[RISK LEVEL] none', confidence: 0.9, box: [] }], imageSize: { width: 4, height: 4 }, ms: 5 } };
    const cli = { prompt: 'Hi', generation: { text: 'raw', stopReason: 'end-of-text' }, imageText };
    expect(readSavedOutput(JSON.stringify(cli), 'out.json').imageText).toEqual(imageText);
    expect(() => readSavedOutput(JSON.stringify({ ...cli, imageText: { kind: 'maybe' } }), 'out.json')).toThrow('out.json: imageText.kind is unknown.');
  });

  it('says what is wrong, naming the file and the field', () => {
    expect(() => readSavedOutput(JSON.stringify({ records: [{}, {}] }), 'h.json')).toThrow('h.json: the export holds 2 records; export the one to re-decide on its own.');
    expect(() => readSavedOutput(JSON.stringify({ rewrite: {} }), 'x.json')).toThrow('x.json: rawOutput is missing (expected "generation.text" or "rawOutput").');
    expect(() => readSavedOutput(JSON.stringify({ rawOutput: 'x', stopReason: 'later' }), 'x.json')).toThrow('x.json: stopReason must be one of end-of-text, max-tokens, stopped.');
    expect(() => readSavedOutput(JSON.stringify({ rawOutput: 'x', rewrite: { levelProbabilities: { none: 2 } } }), 'x.json')).toThrow(
      'x.json: rewrite.levelProbabilities.none is not a probability between 0 and 1.',
    );
    expect(() => readSavedOutput('[1, 2]', 'x.json')).toThrow('x.json: expected a JSON object, a record or plain text.');
  });
});
