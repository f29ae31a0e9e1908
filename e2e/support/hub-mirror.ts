import { test } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { startHubMirror, type HubMirror } from '../../scripts/hub-mirror-server.ts';

export const MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));

/** A local Hub mirror of models/ for the specs of this file: started once, full speed again after each test. */
export function hubMirrorForThisFile(): () => HubMirror {
  let mirror: HubMirror | undefined;
  test.beforeAll(async () => {
    mirror = await startHubMirror({ root: MODELS_DIR });
  });
  test.afterAll(async () => {
    await mirror?.close();
  });
  test.afterEach(() => {
    if (mirror) mirror.bytesPerSecond = undefined;
  });
  return () => {
    if (!mirror) throw new Error('The hub mirror starts in beforeAll');
    return mirror;
  };
}
