/** The call log in a run's output folder (made if need be), saying what it dropped and what the run resumes from. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { CallLog } from './call-log.ts';

export const CALL_LOG_FILE = 'calls.jsonl';

export async function openRunCallLog(outDir: string, say: (line: string) => void): Promise<CallLog> {
  await mkdir(outDir, { recursive: true });
  const opened = await CallLog.open(path.join(outDir, CALL_LOG_FILE));
  if (opened.tornLine !== null) say(`${opened.log.file}:${opened.tornLine}: a line cut short (the last run was stopped mid-write) was dropped.`);
  if (opened.logged > 0) say(`Resuming: ${opened.logged} answers are in ${opened.log.file}.`);
  return opened.log;
}
