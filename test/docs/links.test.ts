/**
 * Every relative link of the README, docs/, events/README.md, terraform/README.md and the changelog
 * leads to a file that exists and, when it names one, to a heading of that file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchors, documentationFiles, links, slug } from './markdown.js';

describe('links of the documentation', () => {
  it.each(documentationFiles())('%s links only to files and headings that exist', (file) => {
    const broken: string[] = [];
    const targets = links(readFileSync(file, 'utf8'));
    for (const link of targets) {
      if (/^[a-z]+:/.test(link)) continue;
      const [path = '', fragment] = link.split('#');
      const target = path === '' ? file : normalize(join(dirname(file), path));
      if (!existsSync(target)) broken.push(`${link} (no such file)`);
      else if (fragment !== undefined && target.endsWith('.md') && !anchors(target).has(fragment)) broken.push(`${link} (no such heading)`);
    }
    expect(broken).toEqual([]);
  });

  it('are checked: the pages link to each other, headings included', () => {
    const all = documentationFiles().flatMap((file) => links(readFileSync(file, 'utf8')));
    expect(all.filter((l) => !/^[a-z]+:/.test(l)).length).toBeGreaterThan(100);
    expect(all.filter((l) => l.includes('.md#')).length).toBeGreaterThan(10);
  });

  it('headings are anchored as GitHub anchors them', () => {
    expect(slug("The webhook's parameter")).toBe('the-webhooks-parameter');
    expect(slug('5. Put the Slack webhook in SSM')).toBe('5-put-the-slack-webhook-in-ssm');
    expect(slug('`npm run verify`: the preflight')).toBe('npm-run-verify-the-preflight');
    expect(anchors('docs/slack.md').has('slack-with-a-bot-token')).toBe(true);
  });
});
