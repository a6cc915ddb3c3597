/**
 * What the READMEs promise a newcomer, checked against what the code does: the first two commands,
 * the local run's output as the README shows it, and a line in events/README.md for every sample.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLocal } from '../../src/local/run.js';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
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

  it('links only to files and headings that exist (README, docs/, events/README.md, terraform/README.md)', () => {
    const files = ['README.md', 'events/README.md', 'terraform/README.md', 'CHANGELOG.md', ...readdirSync('docs').map((f) => `docs/${f}`)];
    const slug = (heading: string) =>
      heading
        .replace(/`/g, '')
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-');
    const anchors = (file: string) => {
      const seen = new Map<string, number>();
      const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
      return new Set(
        [...text.matchAll(/^#+ (.*)$/gm)].map(([, heading = '']) => {
          const base = slug(heading);
          const n = seen.get(base) ?? 0;
          seen.set(base, n + 1);
          return n === 0 ? base : `${base}-${n}`;
        }),
      );
    };
    const broken: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, link = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^https?:/.test(link)) continue;
        const [path = '', fragment] = link.split('#');
        const target = path === '' ? file : normalize(join(dirname(file), path));
        if (!existsSync(target)) broken.push(`${file}: ${link} (no such file)`);
        else if (fragment !== undefined && target.endsWith('.md') && !anchors(target).has(fragment))
          broken.push(`${file}: ${link} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
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
