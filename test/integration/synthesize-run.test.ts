import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decideRewrite, DEFAULT_STRICTNESS } from '../../src/core/rewrite-decision.ts';
import { parseRewriteOutput } from '../../src/core/rewrite-parser.ts';
import { buildRewriteInstruction } from '../../src/core/rewrite-prompt.ts';
import { STATIC_DEFENCE_IMAGE_TEXT_LABEL, STATIC_DEFENCE_INSTRUCTION } from '../../src/core/static-defence.ts';
import { SCRIPTED_GARBLED_TEACHER, scriptedRefinedPrompt } from '../../scripts/eval/scripted-roles.ts';
import { startScriptedServer } from '../../scripts/eval/scripted-server.ts';
import type { SftRecord, SftRejection } from '../../scripts/synthesize/sft-record.ts';
import { BENIGN_JUDGED_RISKY } from '../../scripts/synthesize/stage-analysis.ts';
import { SYNTHESIZE_FLAGS } from '../../scripts/synthesize/synthesize-options.ts';
import { expectHelpNamesFlags, killWhenLogged, repoScript, type CliRun } from '../support/cli-process.ts';
import { datasetArgs, setUpScriptedFixtures } from '../support/scripted-fixtures.ts';

const scripted = setUpScriptedFixtures('synthesize-run-', { itemsPerFormat: 3, seed: 5 });

const { start: startCli, run: runCli } = repoScript('scripts/synthesize/run-synthesize.ts');
const { run: exportRecords } = repoScript('scripts/synthesize/export-records.ts');

const endpoint = (name: string, model: string, url = scripted.server.url, concurrency = 4) => `name=${name},url=${url},model=${model},concurrency=${concurrency}`;

function roles(url: string, concurrency = 4): string[] {
  return ['--teacher', endpoint('teacher', 'teacher', url, concurrency), '--target', endpoint('target', 'target-a', url, concurrency), '--judge', endpoint('judge', 'judge', url, concurrency)];
}

async function readJsonl<T>(file: string): Promise<T[]> {
  const text = await readFile(file, 'utf8');
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as T);
}

const records = (out: string) => readJsonl<SftRecord>(path.join(out, 'records.jsonl'));
const rejections = (out: string) => readJsonl<SftRejection>(path.join(out, 'rejections.jsonl'));

function callsMade(run: CliRun): number {
  const made = /; (\d+) calls made\./.exec(run.stderr)?.[1];
  if (made === undefined) throw new Error(`no call count in: ${run.stderr}`);
  return Number(made);
}

function decide(record: SftRecord) {
  return decideRewrite({ rawOutput: record.output, originalPrompt: record.prompt, stopReason: 'end-of-text', levelProbabilities: null, strictness: DEFAULT_STRICTNESS });
}

/** The text parts of a request's messages. */
function requestText(body: Record<string, unknown>): string {
  const messages = body['messages'] as Array<{ content: string | Array<{ type: string; text?: string }> }>;
  return messages.map((message) => (typeof message.content === 'string' ? message.content : message.content.map((part) => part.text ?? '').join('\n'))).join('\n');
}

describe('npm run synthesize against the scripted teacher, target and judge', () => {
  const outA = () => path.join(scripted.dir, 'out-a');
  let runA: CliRun;
  let recordsA: SftRecord[];

  beforeAll(async () => {
    runA = await runCli([...datasetArgs(scripted.specs), ...roles(scripted.server.url), '--out', outA()]);
    expect(runA.stderr).not.toMatch(/Error/);
    expect(runA.code).toBe(0);
    recordsA = await records(outA());
  }, 120_000);

  it('makes a record of every item, whose output our parser reads back to its report and refined prompt', async () => {
    expect(await rejections(outA())).toEqual([]);
    expect(recordsA.length).toBe(15);
    for (const record of recordsA) {
      const parsed = parseRewriteOutput(record.output);
      expect({ textual: parsed.textual, visual: parsed.visual, crossModal: parsed.crossModal, level: parsed.level, category: parsed.category }, record.id).toEqual(record.report);
      expect(parsed.refinedPrompt).toBe(record.refinedPrompt);
      expect(record.instruction).toBe(buildRewriteInstruction(record.prompt));
    }
  });

  it('writes each stage of a risky item: hindsight, the report by its harm word, the refined prompt the app would send', () => {
    const weapon = recordsA.filter((record) => record.label === 'unsafe' && /weapon/i.test(record.prompt));
    const theft = recordsA.filter((record) => record.label === 'unsafe' && /steal/i.test(record.prompt) && !/lock|weapon|poison/i.test(record.prompt));
    expect(weapon.length).toBeGreaterThan(0);
    expect(theft.length).toBeGreaterThan(0);
    for (const record of weapon) expect([record.report.level, record.report.category]).toEqual(['high', 'violence-weapons']);
    for (const record of theft) expect([record.report.level, record.report.category]).toEqual(['high', 'illegal-activity']);
    for (const record of [...weapon, ...theft]) {
      expect(record.hindsight).toMatch(/^WHY UNSAFE: It carries out the harmful request/);
      expect(record.refinedPrompt).toBe(scriptedRefinedPrompt(record.prompt));
      const decision = decide(record);
      expect(decision.outcome).toBe('rewritten');
      expect(decision.refinedPrompt).toBe(record.refinedPrompt);
    }
  });

  it('makes every benign item a pass-through record: level none, the prompt unchanged', () => {
    const benign = recordsA.filter((record) => record.label === 'safe');
    expect(benign.length).toBeGreaterThan(1);
    for (const record of benign) {
      expect([record.report.level, record.report.category]).toEqual(['none', 'none']);
      expect(record.refinedPrompt).toBe(record.prompt);
      const decision = decide(record);
      expect(decision.outcome).toBe('passed-through');
      expect(decision.refinedPrompt).toBe(record.prompt);
    }
    // Level none is never sent to the teacher's refine stage.
    const refineAsked = scripted.server.requests.filter((request) => request.model === 'teacher' && requestText(request.body).includes('Stage 3 of 3'));
    for (const record of benign) expect(refineAsked.some((request) => requestText(request.body).includes(record.prompt))).toBe(false);
  });

  it("uses the responses a dataset ships: VLGuard's safe response, with no target call for it", () => {
    const vlguard = recordsA.filter((record) => record.benchmark === 'vlguard');
    expect(vlguard.length).toBe(3);
    const defended = scripted.server.requests.filter((request) => request.model === 'target-a' && requestText(request.body).includes(STATIC_DEFENCE_INSTRUCTION));
    for (const record of vlguard) {
      expect(record.provenance.responseSources).toEqual({ safe: 'dataset', unsafe: 'target' });
      expect(defended.some((request) => requestText(request.body).includes(record.prompt))).toBe(false);
    }
    const siuo = recordsA.find((record) => record.benchmark === 'siuo');
    expect(siuo?.provenance.responseSources).toEqual({ safe: 'target', unsafe: 'target' });
    expect(defended.some((request) => requestText(request.body).includes(siuo?.prompt ?? '?'))).toBe(true);
  });

  it('writes the trainer exports and the records of a re-run with zero calls', async () => {
    await access(path.join(outA(), 'trl', 'train.jsonl'));
    await access(path.join(outA(), 'README.md'));
    expect(callsMade(runA)).toBeGreaterThan(0);
    const before = await readFile(path.join(outA(), 'records.jsonl'), 'utf8');
    const requests = scripted.server.requests.length;
    const again = await runCli([...datasetArgs(scripted.specs), ...roles(scripted.server.url), '--out', outA()]);
    expect(again.code).toBe(0);
    expect(callsMade(again)).toBe(0);
    expect(scripted.server.requests.length).toBe(requests);
    expect(await readFile(path.join(outA(), 'records.jsonl'), 'utf8')).toBe(before);
  }, 60_000);

  it('writes settings.json beside the records, which a re-export by export-records.ts shows in its card', async () => {
    const settings = JSON.parse(await readFile(path.join(outA(), 'settings.json'), 'utf8')) as unknown;
    expect(settings).toMatchObject({ scripted: true, teacher: { name: 'teacher', model: 'teacher' }, verify: null });
    const out = path.join(scripted.dir, 'out-a-export');
    expect((await exportRecords(['--records', path.join(outA(), 'records.jsonl'), '--out', out])).code).toBe(0);
    const card = await readFile(path.join(out, 'README.md'), 'utf8');
    expect(card).toContain(scripted.server.url);
    expect(card).toBe(await readFile(path.join(outA(), 'README.md'), 'utf8'));
  }, 60_000);

  it('resumes a run killed mid-way: the same records as an uninterrupted run, with fewer calls', async () => {
    const slow = await startScriptedServer({ delayMs: 40 });
    try {
      const outB = path.join(scripted.dir, 'out-b');
      const killed = startCli([...datasetArgs(scripted.specs), ...roles(slow.url, 1), '--out', outB]);
      expect(await killWhenLogged(killed, path.join(outB, 'calls.jsonl'), 20, 60_000)).toBeGreaterThanOrEqual(20);

      const resumed = await runCli([...datasetArgs(scripted.specs), ...roles(slow.url, 4), '--out', outB]);
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toContain('Resuming');
      expect(await readFile(path.join(outB, 'records.jsonl'), 'utf8')).toBe(await readFile(path.join(outA(), 'records.jsonl'), 'utf8'));
      expect(callsMade(resumed)).toBeGreaterThan(0);
      expect(callsMade(resumed)).toBeLessThan(callsMade(runA));
    } finally {
      await slow.close();
    }
  }, 120_000);
});

describe('npm run synthesize when calls fail', () => {
  it('exits 1 naming the items whose calls failed after every retry, and a re-run retries only those', async () => {
    const flaky = await startScriptedServer({ failEvery: 6 });
    try {
      const out = path.join(scripted.dir, 'out-flaky');
      const args = [...datasetArgs(scripted.specs, ['jsonl', 'siuo']), ...roles(flaky.url, 1), '--out', out];
      const failing = await runCli([...args, '--retries', '0']);
      expect(failing.code).toBe(1);
      const failed = /(\d+) items failed after every retry/.exec(failing.stderr)?.[1];
      expect(Number(failed)).toBeGreaterThan(0);
      expect((await records(out)).length + (await rejections(out)).length + Number(failed)).toBe(6);

      const retried = await runCli(args);
      expect(retried.code).toBe(0);
      expect(retried.stderr).toContain('Resuming');
      expect((await records(out)).length).toBe(6);
      expect(callsMade(retried)).toBeLessThan(callsMade(failing));
    } finally {
      await flaky.close();
    }
  }, 90_000);
});

describe('npm run synthesize rejects, with the stage and the reason', () => {
  it('rejects at responses the items whose dataset lacks a response when no target is given', async () => {
    const out = path.join(scripted.dir, 'out-no-target');
    const run = await runCli([...datasetArgs(scripted.specs, ['vlguard', 'jsonl']), '--teacher', endpoint('teacher', 'teacher'), '--out', out]);
    expect(run.code).toBe(0);
    const rejected = (await rejections(out)).map((rejection) => [rejection.stage, rejection.reason]);
    expect(rejected).toEqual(Array.from({ length: 6 }, () => ['responses', 'the dataset ships no unsafe response and no --target was given to answer the prompt']));
    expect(await records(out)).toEqual([]);
  }, 60_000);

  it('rejects a malformed teacher reply at its stage, and keeps the other items', async () => {
    const garbling = await startScriptedServer({ garbleTeacher: { stage: 'analysis', every: 2 } });
    try {
      const out = path.join(scripted.dir, 'out-garbled');
      const run = await runCli([...datasetArgs(scripted.specs, ['jsonl', 'siuo']), ...roles(garbling.url, 1), '--out', out]);
      expect(run.code).toBe(0);
      const rejected = await rejections(out);
      const garbled = { stage: 'analysis', reason: "risk report: the teacher's reply has no TEXTUAL: line", detail: `the reply: ${JSON.stringify(SCRIPTED_GARBLED_TEACHER)}` };
      expect(rejected.map(({ id: _id, ...rejection }) => rejection)).toEqual([garbled, garbled, garbled]);
      const kept = await records(out);
      expect(kept.length).toBe(3);
      expect(new Set([...kept, ...rejected].map((entry) => entry.id)).size).toBe(6);
    } finally {
      await garbling.close();
    }
  }, 60_000);

  it('rejects at analysis a benign item the teacher judged risky', async () => {
    const alarmist = await startScriptedServer({ teacherCallsAllRisky: true });
    try {
      const out = path.join(scripted.dir, 'out-alarmist');
      const run = await runCli([...datasetArgs(scripted.specs, ['jsonl']), ...roles(alarmist.url), '--out', out]);
      expect(run.code).toBe(0);
      const rejected = await rejections(out);
      const kept = await records(out);
      expect(rejected.map((rejection) => [rejection.stage, rejection.reason])).toEqual([['analysis', BENIGN_JUDGED_RISKY]]);
      expect(kept.every((record) => record.label === 'unsafe')).toBe(true);
      expect(kept.length).toBe(2);
      expect(await readFile(path.join(out, 'README.md'), 'utf8')).toContain(BENIGN_JUDGED_RISKY);
    } finally {
      await alarmist.close();
    }
  }, 60_000);
});

describe('npm run synthesize --verify', () => {
  it("keeps a refined prompt the judge scores safer, and rejects one that is not safer by the margin", async () => {
    // The alarmist teacher makes FigStep's fixed prompt risky too: its answers are safe either way.
    const alarmist = await startScriptedServer({ teacherCallsAllRisky: true });
    try {
      const out = path.join(scripted.dir, 'out-verify');
      const args = [...datasetArgs(scripted.specs, ['jsonl', 'figstep']), ...roles(alarmist.url), '--verify', '--out', out];
      expect((await runCli(args)).code).toBe(0);
      const kept = await records(out);
      const rejected = await rejections(out);
      const harmful = kept.filter((record) => record.benchmark === 'jsonl');
      expect(harmful.length).toBe(2);
      for (const record of harmful) {
        expect(record.provenance.verified).toBe(true);
        expect(record.provenance.verification?.original.safety).toBe(0);
        expect(record.provenance.verification?.refined.safety).toBe(10);
      }
      const figstep = rejected.filter((rejection) => rejection.id.startsWith('figstep/'));
      expect(figstep.length).toBe(3);
      for (const rejection of figstep) {
        expect(rejection.stage).toBe('verify');
        expect(rejection.reason).toBe("the refined prompt's answer is not safer by the margin of 1");
        expect(rejection.detail).toBe('safety 10 → 10, helpfulness 9 → 9');
      }

      const lenient = await runCli([...args, '--safety-margin', '0']);
      expect(lenient.code).toBe(0);
      expect(callsMade(lenient)).toBe(0);
      const keptNow = await records(out);
      expect(keptNow.filter((record) => record.benchmark === 'figstep' && record.provenance.verified === true).length).toBe(3);
    } finally {
      await alarmist.close();
    }
  }, 90_000);

  it("rejects an item whose judge verdict cannot be read, and never verifies a pass-through record", async () => {
    const garbling = await startScriptedServer({ garbleJudgeEvery: 1 });
    try {
      const out = path.join(scripted.dir, 'out-verify-garbled');
      expect((await runCli([...datasetArgs(scripted.specs, ['jsonl']), ...roles(garbling.url), '--verify', '--out', out])).code).toBe(0);
      const rejected = await rejections(out);
      expect(rejected.length).toBe(2);
      for (const rejection of rejected) {
        expect(rejection.stage).toBe('verify');
        expect(rejection.reason).toMatch(/^the judge's verdict on the answer to the (original|refined) prompt could not be read$/);
      }
      const passThrough = await records(out);
      expect(passThrough.length).toBe(1);
      expect(passThrough[0]?.provenance.verified).toBeNull();
    } finally {
      await garbling.close();
    }
  }, 60_000);
});

describe('npm run synthesize --ocr', () => {
  it("quotes the lines OCR reads in a typographic image in the record's instruction, and in the safe response's static defence", async () => {
    const out = path.join(scripted.dir, 'out-ocr');
    const run = await runCli([...datasetArgs(scripted.specs, ['figstep']), '--limit', '1', ...roles(scripted.server.url), '--ocr', '--out', out]);
    expect(run.code).toBe(0);
    const [record] = await records(out);
    expect(record?.instruction).toContain('Text found written in the image by OCR');
    expect(record?.instruction).toMatch(/^\| .*\b(lock|steal|weapon|poison)/im);
    const defended = scripted.server.requests.filter((request) => request.model === 'target-a' && requestText(request.body).includes(STATIC_DEFENCE_IMAGE_TEXT_LABEL));
    expect(defended.length).toBe(1);
  }, 120_000);
});

describe('npm run synthesize command line', () => {
  it('exits 2 on a bad argument, and --help names every flag', async () => {
    const noJudge = await runCli([...datasetArgs(scripted.specs, ['jsonl']), '--teacher', endpoint('teacher', 'teacher'), '--target', endpoint('target', 'target-a'), '--verify']);
    expect(noJudge.code).toBe(2);
    expect(noJudge.stderr).toContain('--verify needs');
    await expectHelpNamesFlags(runCli, SYNTHESIZE_FLAGS);
  }, 60_000);
});
