/**
 * The actor of the rollout buttons (Continue and Roll back of a pause hook, Roll back of a followed
 * deployment), composed in the asynchronous invocation a click was handed off to
 * (./clicks.ts): the deployments table, Slack, and ECS.
 */
import type { Config } from '../config/config.js';
import { createAwsClients, type AwsClients } from '../aws/clients.js';
import { amendEcsDeployment } from '../following/records.js';
import type { ClickActor } from '../interactions/contract.js';
import { followedStateMessage } from '../present/following.js';
import { ROLLOUT_ACTIONS } from '../interactions/rollout.js';
import { createRolloutActor, type RolloutActorParts } from '../rollout/pauseActor.js';
import type { AppMetrics, Log } from '../shared/observability.js';
import { clickParts, flushedAfter } from './clickParts.js';

/** The container's AWS clients, composed with the first click on a rollout button. */
let clients: AwsClients | undefined;

/**
 * The rollout buttons' actor on the given table, Slack and ECS: a Roll back of a followed
 * deployment also records who rolled it back and updates its message. The function's (below) and
 * the local run's (src/local/click.ts) are this one.
 *
 * @example
 * const actor = rolloutButtonsActor({ journal, notifier, log, ecs: clients.ecs, reply });
 * await actor(click, { requestId }); // ContinueServiceDeployment or StopServiceDeployment, once
 */
export function rolloutButtonsActor(parts: Omit<RolloutActorParts, 'stopped'>): ClickActor {
  const { journal, notifier } = parts;
  return createRolloutActor({
    ...parts,
    stopped: async (deployment) => {
      const stoppedBy = deployment.stoppedBy;
      const recorded = await amendEcsDeployment(journal, deployment.id, (d) =>
        d.stoppedBy === undefined ? { ...d, stoppedBy } : undefined,
      );
      const state = followedStateMessage(recorded ?? deployment, { rollback: ROLLOUT_ACTIONS.stop });
      await notifier.follow(deployment.message, { state, standalone: state, routine: true });
    },
  });
}

/**
 * The actor of the rollout buttons for one invocation. Every Slack message it sends is delivered
 * (or given up) before it resolves.
 *
 * @example
 * const actor = rolloutActor({ config, log, containerMetrics });
 * await actor(click, { requestId }); // ContinueServiceDeployment or StopServiceDeployment, once
 */
export function rolloutActor(parts: { config: Config; log: Log; containerMetrics: AppMetrics }): ClickActor {
  const { config, log } = parts;
  const { journal, notifier, reply } = clickParts(config, log, parts.containerMetrics);
  clients ??= createAwsClients(config.region);
  return flushedAfter(rolloutButtonsActor({ journal, notifier, log, ecs: clients.ecs, reply }), notifier);
}
