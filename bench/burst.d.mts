// Types of bench/burst.mjs, for the tests in test/bench/.
export declare const BURST_SERVICES: string[];
export declare const BURST_SERVICE_CONFIG: Record<string, Array<{ bucket: string; key: string }>>;
export declare const BURST_IMAGES: Record<string, string>;
export interface BurstEvent {
  id: string;
  source: string;
  'detail-type': string;
  time: string;
  detail: Record<string, unknown>;
}
export declare function burstEvents(): BurstEvent[];
export declare function sqsBatch(
  events: unknown[],
  sample: Record<string, unknown>,
): { Records: Array<Record<string, unknown> & { messageId: string; body: string }> };
export declare const BURST_EXPECTED: { batch: { updates: number; slack: number }; direct: { updates: number; slack: number } };
export declare const APPLY_CHANGES: number;
export declare const SQS_BATCH_SIZE: number;
export declare function applyBatches(): BurstEvent[][];
