import { vi } from 'vitest';
import { recordSuiteOutput } from './suiteOutput.js';

export interface LogLine {
  timestamp: string;
  level: string;
  message: string;
  project_name: string;
  environment: string;
  fields: Record<string, unknown>;
}

/**
 * Captures what the process writes to stdout/stderr (where Powertools Logger writes) and parses
 * the JSON lines. Call `restore()` in afterEach.
 */
export function captureOutput() {
  const raw: string[] = [];
  const capture = (chunk: unknown) => {
    raw.push(String(chunk));
    recordSuiteOutput(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  const lines = () =>
    raw
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    /** Every raw chunk written, for secret scans. */
    text: () => raw.join(''),
    /** Log lines (EMF metric lines excluded). */
    logs: () => lines().filter((l) => !('_aws' in l)) as unknown as LogLine[],
    /** EMF metric documents. */
    metrics: () => lines().filter((l) => '_aws' in l),
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}
