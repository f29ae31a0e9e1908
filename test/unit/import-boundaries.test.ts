import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The repository's own ESLint config, run on code that breaks a rule, as if it were a file in the tree.
const eslint = new ESLint({ cwd: process.cwd() });

async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId?.startsWith('import-x/')).map((message) => message.message);
}

describe('import boundaries', () => {
  it('refuses a worker importing a UI component', async () => {
    const errors = await importErrors('src/worker/example.ts', "import { App } from '../ui/app.tsx';\nexport const app = App;\n");
    expect(errors).toEqual([expect.stringMatching(/src\/worker may import only src\/worker, src\/core, src\/engine/)]);
  });

  it('refuses a cross-layer import at any depth', async () => {
    const errors = await importErrors('src/core/nested/example.ts', "import { VlmEngine } from '../../engine/vlm-engine.ts';\nexport const engine = VlmEngine;\n");
    expect(errors).toEqual([expect.stringMatching(/core is pure TypeScript that runs anywhere/)]);
  });

  it('refuses the UI reaching the remote client except through src/app', async () => {
    const errors = await importErrors('src/ui/example.tsx', "import { ENDPOINT_PRESETS } from '../remote/endpoint-presets.ts';\nexport const presets = ENDPOINT_PRESETS;\n");
    expect(errors).toEqual([expect.stringMatching(/components reach the worker and remote VLMs through src\/app/)]);
  });

  it('refuses an import cycle', async () => {
    // model-families.ts imports image-fit.ts; image-fit importing it back closes the loop.
    const errors = await importErrors('src/core/image-fit.ts', "import { MODEL_FAMILIES } from './model-families.ts';\nexport const families = MODEL_FAMILIES;\n");
    expect(errors).toEqual([expect.stringMatching(/Dependency cycle detected/)]);
  });

  it('lets each layer import what it may', async () => {
    expect(await importErrors('src/ui/example.tsx', "import { useRewriteSession } from '../app/use-rewrite-session.ts';\nexport const use = useRewriteSession;\n")).toEqual([]);
    expect(await importErrors('src/worker/example.ts', "import { VlmEngine } from '../engine/vlm-engine.ts';\nexport const engine = VlmEngine;\n")).toEqual([]);
  });
});
