import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { DatasetSpec } from '../../scripts/eval/eval-types.ts';
import { writeFixtureDatasets } from '../../scripts/eval/fixtures/write-fixture-datasets.ts';
import { startScriptedServer, type ScriptedServer } from '../../scripts/eval/scripted-server.ts';

export interface ScriptedFixtures {
  /** A fresh temporary folder; the datasets are in its data/ folder. */
  dir: string;
  specs: DatasetSpec[];
  server: ScriptedServer;
}

/**
 * The fixture datasets in a temporary folder and a scripted server to run the CLIs against, for the tests of the
 * file that calls this: opened before them and removed after them, so read the fields inside the tests.
 */
export function setUpScriptedFixtures(prefix: string, datasets: { itemsPerFormat: number; seed: number }): ScriptedFixtures {
  const fixtures = {} as ScriptedFixtures;
  beforeAll(async () => {
    fixtures.dir = await mkdtemp(path.join(tmpdir(), prefix));
    fixtures.specs = await writeFixtureDatasets({ outDir: path.join(fixtures.dir, 'data'), ...datasets });
    fixtures.server = await startScriptedServer();
  });
  afterAll(async () => {
    await fixtures.server.close();
    await rm(fixtures.dir, { recursive: true, force: true });
  });
  return fixtures;
}

/** `--dataset FORMAT:PATH` for each spec, or only those of the formats given. */
export function datasetArgs(specs: readonly DatasetSpec[], formats?: string[]): string[] {
  return specs.filter((spec) => !formats || formats.includes(spec.format)).flatMap((spec) => ['--dataset', `${spec.format}:${spec.path}`]);
}
