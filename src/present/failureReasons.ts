/**
 * Why tasks failed, in words people act on: a stopped task's reason with its containers' reasons
 * and exit codes ("exit code 137, killed (SIGKILL), usually out of memory"), then the service's
 * latest problem events, at most a few and each once; said so when ECS tells nothing yet.
 */
import { FOLLOW_DEFAULTS } from '../config/constants.js';
import type { FailureEvidence } from '../following/steps.js';

/** Exit codes people look up. */
const EXIT_CODES: Record<number, string> = {
  137: 'killed (SIGKILL), usually out of memory',
  139: 'segmentation fault',
  143: 'terminated (SIGTERM)',
};

/** Service events that say something went wrong (not "has started 1 tasks" or "reached a steady state"). */
const PROBLEM_EVENT = /unable|fail|error|unhealth|insufficient|cannot|could not|denied|timed out|exceeded|not (?:able|found)/i;

/**
 * Up to three distinct reasons why tasks failed, most relevant first: a stopped task's reason
 * with its containers' reasons and exit codes, then the service's latest problem events.
 *
 * @example
 * failureReasons(evidence); // ['Essential container in task exited (app: exit code 137, killed (SIGKILL), usually out of memory)', …]
 */
export function failureReasons(evidence: FailureEvidence | undefined): string[] {
  if (evidence === undefined) return [];
  const reasons = new Set<string>();
  for (const task of evidence.stoppedTasks) {
    const containers = task.containers.flatMap((c) => {
      const exit =
        c.exitCode !== undefined && c.exitCode !== 0
          ? `exit code ${c.exitCode}${EXIT_CODES[c.exitCode] ? `, ${EXIT_CODES[c.exitCode]}` : ''}`
          : undefined;
      const parts = [c.reason, exit].filter((p): p is string => p !== undefined && p !== '');
      return parts.length === 0 ? [] : [`${c.name}: ${parts.join(', ')}`];
    });
    const stopped = task.stoppedReason ?? task.stopCode;
    const text =
      stopped === undefined ? containers.join('; ') : containers.length === 0 ? stopped : `${stopped} (${containers.join('; ')})`;
    if (text !== '') reasons.add(text);
  }
  for (const event of evidence.serviceEvents) {
    if (PROBLEM_EVENT.test(event.message)) reasons.add(event.message.replace(/^\(service [^)]*\)\s*/, ''));
  }
  return [...reasons].slice(0, FOLLOW_DEFAULTS.reasonsShown);
}

/** The failure reasons as one fact, saying so when ECS tells nothing (yet) or could not be read. */
export function evidenceFact(evidence: FailureEvidence): [string, string] {
  const reasons = failureReasons(evidence);
  const unread = evidence.unavailable.length === 0 ? '' : ` (not read: ${evidence.unavailable.join(', ')})`;
  if (reasons.length === 0) return ['Why tasks failed', `no stopped task or service event says why yet${unread}`];
  return ['Why tasks failed', `${reasons.map((r) => `• ${r}`).join('\n')}${unread}`];
}
