import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A verbatim AWS documentation sample from test/fixtures/aws-events (see SOURCES.md there). */
export function awsSample(path: string): Record<string, unknown> & { detail: Record<string, unknown> } {
  return JSON.parse(readFileSync(`${root}test/fixtures/aws-events/${path}`, 'utf8')) as Record<string, unknown> & {
    detail: Record<string, unknown>;
  };
}

/** A vendor's published payload sample from test/fixtures/partner-payloads (see SOURCES.md there). */
export function partnerSample(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${root}test/fixtures/partner-payloads/${path}`, 'utf8')) as Record<string, unknown>;
}

/** A sample event of this project from events/. */
export function projectEvent(name: string): Record<string, unknown> & { detail: Record<string, unknown> } {
  return JSON.parse(readFileSync(`${root}events/${name}`, 'utf8')) as Record<string, unknown> & { detail: Record<string, unknown> };
}

/** A sample with its detail fields replaced (the naming adapted to project myproject, env dev). */
export function adapt(path: string, detail: Record<string, unknown>, envelope: Record<string, unknown> = {}) {
  const sample = awsSample(path);
  return { ...sample, account: '123456789012', region: 'us-east-1', ...envelope, detail: { ...sample.detail, ...detail } };
}
