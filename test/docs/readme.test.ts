/**
 * What the READMEs promise a newcomer, checked against what the code does: a README one reads to
 * the end, the first two commands, the local run's output as the README shows it, a docs page for
 * the rest, and a line in events/README.md for every sample.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runLocal } from '../../src/local/run.js';
import { docsPages, links } from './markdown.js';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('is at most 300 lines: what it does and does not, the two commands, install, configuration, links', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(300);
    const headings = [...readme.matchAll(/^## (.*)$/gm)].map((m) => m[1]);
    expect(headings).toEqual([
      'What it does',
      'What it does not do',
      'Try it',
      'Install from zero',
      'Configuration',
      'Documentation',
      'Development',
      'License',
    ]);
    const doesNot = readme.slice(readme.indexOf('## What it does not do'), readme.indexOf('## Try it'));
    expect(doesNot.split('\n').filter((l) => l.startsWith('- **')).length).toBeGreaterThanOrEqual(5);
  });

  it('links to every page of docs/, and every page starts with a link back to it', () => {
    const linked = new Set(links(readme).map((l) => l.split('#')[0]));
    expect(docsPages().filter((page) => !linked.has(page))).toEqual([]);
    for (const page of docsPages()) {
      const [title, blank, back] = readFileSync(page, 'utf8').split('\n');
      expect({ page, title: title?.startsWith('# '), blank, back: back?.startsWith('[← README](../README.md)') }).toEqual({
        page,
        title: true,
        blank: '',
        back: true,
      });
    }
  });

  it('starts with the two commands a fresh clone runs', () => {
    const tryIt = readme.slice(readme.indexOf('## Try it'), readme.indexOf('## Install from zero'));
    expect(tryIt).toContain('npm ci && npm start -- events/ecr-push-api.json');
    expect(tryIt).toContain('npm ci && npm test');
    expect(readme.indexOf('## Try it')).toBeLessThan(readme.indexOf('## Install from zero'));
  });

  it('shows the local run of events/ecr-push-api.json exactly as it prints', async () => {
    const shown = /```text\n\$ npm start -- events\/ecr-push-api.json\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(shown).toBeDefined();
    const printed: string[] = [];
    expect(await runLocal(['events/ecr-push-api.json'], {}, (line) => printed.push(line))).toBe(0);
    // The last line notes the SDK's Node-version warning on Node < 22 only.
    expect(
      printed
        .join('\n')
        .split('\n')
        .filter((line) => !line.startsWith('note: the AWS SDK')),
    ).toEqual(shown?.split('\n'));
  });
});

describe('events/README.md', () => {
  const list = readFileSync('events/README.md', 'utf8');
  const rows = list.split('\n').filter((line) => line.startsWith('| `'));

  it.each([...readdirSync('events').filter((f) => f.endsWith('.json')), ...readdirSync('events/put-events').map((f) => `put-events/${f}`)])(
    'lists %s in a row of its own',
    (file) => {
      expect(rows.filter((row) => row.startsWith(`| \`${file}\` |`))).toHaveLength(1);
    },
  );

  it('shows EventBusName where the manual-deploy bus applies, and the entries files that carry it', () => {
    const entries = readdirSync('events/put-events').map((f) => ({
      file: `put-events/${f}`,
      entries: JSON.parse(readFileSync(`events/put-events/${f}`, 'utf8')) as Array<{ EventBusName?: string }>,
    }));
    for (const { file, entries: each } of entries) {
      const bus = each[0]?.EventBusName ?? 'default';
      expect(
        rows.find((row) => row.startsWith(`| \`${file}\` |`)),
        file,
      ).toContain(bus === 'default' ? '| default |' : `| \`${bus}\` |`);
    }
    expect(
      entries.some(({ entries: each }) => each.some((entry) => entry.EventBusName === 'myproject-deploybridge-dev-manual-deploys')),
    ).toBe(true);
  });
});
