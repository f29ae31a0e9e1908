import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';

/** The annotation a fault-injection test adds: `fault | message the user sees | what is kept`. */
export const FAULT_ANNOTATION = 'fault';

interface FaultRow {
  fault: string;
  message: string;
  kept: string;
  project: string;
  status: TestResult['status'];
}

/** Prints one Markdown table of every fault-injection test at the end of a run (the README copies it). */
export default class FaultTableReporter implements Reporter {
  readonly #rows: FaultRow[] = [];

  onTestEnd(test: TestCase, result: TestResult): void {
    for (const annotation of test.annotations) {
      if (annotation.type !== FAULT_ANNOTATION || !annotation.description || result.status === 'skipped') continue;
      const [fault = '', message = '', kept = ''] = annotation.description.split(' | ');
      this.#rows.push({ fault, message, kept, project: test.parent.project()?.name ?? '', status: result.status });
    }
  }

  onEnd(): void {
    if (this.#rows.length === 0) return;
    const lines = [
      '',
      'Fault injection:',
      '| fault | project | what the user is told | what is kept | result |',
      '|---|---|---|---|---|',
      ...this.#rows.map((row) => `| ${row.fault} | ${row.project} | ${row.message} | ${row.kept} | ${row.status} |`),
      '',
    ];
    console.log(lines.join('\n'));
  }
}
