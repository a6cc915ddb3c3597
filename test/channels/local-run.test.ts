/**
 * `npm start` with channels besides Slack configured: for each notification, which channels would
 * hear it (and which `…_EVENTS` leave it out); `--json` prints what each would receive. Without
 * them, the run prints what it always did.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runLocal } from '../../src/local/run.js';
import { recordSuiteOutput } from '../helpers/suiteOutput.js';

const CHANNELS = {
  TEAMS_WEBHOOK_URL: 'https://prod-12.westus.logic.azure.com/workflows/4f2c/triggers/manual/paths/invoke?sig=TEAMSSIG-SECRET789',
  WEBHOOK_URL: 'https://hooks.example.com/HOOKPATH-SECRET135',
  WEBHOOK_SECRET: 'whsec-SIGNING-SECRET-8642',
  WEBHOOK_EVENTS: 'deployment.failed,deployment.rolled_back',
  SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:myproject-deploys',
};

async function run(argv: string[], env: Record<string, string> = {}) {
  const printed: string[] = [];
  const code = await runLocal(argv, env, (line) => {
    printed.push(line);
    recordSuiteOutput(line);
  });
  return { code, lines: printed.join('\n').split('\n') };
}

describe('npm start with the channels besides Slack', () => {
  it('says, for each notification of a rollback, which channels would hear it', async () => {
    const { code, lines } = await run(['events/ecs-rollback-sequence.json'], CHANNELS);
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/nothing is sent to Slack or the other channels \(Teams, webhook, SNS\)$/);
    expect(lines.filter((l) => l.includes('Other channels'))).toEqual([
      '  Other channels (not sent): Deployment started: api (deployment.started) → Teams, SNS; not webhook (WEBHOOK_EVENTS)',
      '  Other channels (not sent): Deployment in progress: api (deployment.progressing) → Teams, SNS; not webhook (WEBHOOK_EVENTS)',
      '  Other channels (not sent): Tasks fail to start: api (deployment.impaired) → Teams, SNS; not webhook (WEBHOOK_EVENTS)',
      '  Other channels (not sent): Deployment failed: api (deployment.failed) → Teams, webhook, SNS',
      '  Other channels (not sent): Deployment rolling back: api (deployment.rolling_back) → Teams, SNS; not webhook (WEBHOOK_EVENTS)',
      '  Other channels (not sent): Deployment rolled back: api (deployment.rolled_back) → Teams, webhook, SNS',
    ]);
    for (const secret of ['TEAMSSIG-SECRET789', 'HOOKPATH-SECRET135', 'whsec-SIGNING-SECRET-8642'])
      expect(lines.join('\n')).not.toContain(secret);
  });

  it('--json prints what each channel would receive', async () => {
    const { lines } = await run(['events/ecr-push-api.json', '--json'], CHANNELS);
    const start = lines.findIndex((l) => l.startsWith('Other channels (not sent):'));
    expect(lines[start]).toBe(
      'Other channels (not sent): [DRY RUN] Deployment would start: api (deployment.requested) → Teams, SNS; not webhook (WEBHOOK_EVENTS)',
    );
    expect(lines[start + 1]).toBe('    Teams:');
    const sns = lines.indexOf('    SNS:', start);
    const teams = JSON.parse(lines.slice(start + 2, sns).join('\n')) as {
      attachments: Array<{ content: { type: string; version: string } }>;
    };
    expect(teams.attachments[0]?.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    const end = lines.findIndex((l, i) => i > sns && !l.startsWith('      '));
    const chatbot = JSON.parse(lines.slice(sns + 1, end).join('\n')) as { source: string; metadata: { eventType: string } };
    expect(chatbot).toMatchObject({ source: 'custom', metadata: { eventType: 'deployment.requested' } });
  });

  it('with no channel besides Slack, no line about them', async () => {
    const { lines } = await run(['events/ecs-rollback-sequence.json']);
    expect(lines.filter((l) => l.includes('Other channels') || l.includes('other channels'))).toEqual([]);
  });
});

describe('every sample in events/', () => {
  it('every notification it sends has a typed event, which every channel can hear', async () => {
    const files = readdirSync('events').filter((f) => f.endsWith('.json'));
    const types = new Set<string>();
    const untyped: string[] = [];
    for (const file of files) {
      const { lines } = await run([`events/${file}`], { SNS_TOPIC_ARN: CHANNELS.SNS_TOPIC_ARN });
      for (const line of lines.filter((l) => l.includes('Other channels (not sent):'))) {
        if (line.includes('(no typed event)')) untyped.push(`${file}: ${line.trim()}`);
        const type = /\(([a-z_]+\.[a-z_]+)\) → SNS$/.exec(line)?.[1];
        if (type !== undefined) types.add(type);
      }
    }
    expect(untyped).toEqual([]);
    expect([...types].sort()).toEqual(
      expect.arrayContaining([
        'deployment.failed',
        'deployment.impaired',
        'deployment.progressing',
        'deployment.requested',
        'deployment.rolled_back',
        'deployment.rolling_back',
        'deployment.started',
        'deployment.succeeded',
        'request.refused',
        'warning.env_file_deleted',
        'warning.env_file_invalid',
        'warning.parameter_deleted',
      ]),
    );
  });
});
