/**
 * Schemas built on first use. Building a zod schema is work (every field and check is an object
 * zod sets up): built when their modules loaded, the schemas of every event, setting and Slack
 * payload cost each cold start about 5 ms of CPU before its first AWS call; built on first use, an
 * invocation builds those of its own event and of the settings that are set.
 *
 * @example
 * const envelopeSchema = lazySchema(() => z.object({ id: z.string() }));
 * envelopeSchema().safeParse(event); // built now, once
 */
export function lazySchema<S>(build: () => S): () => S {
  let built: S | undefined;
  return () => (built ??= build());
}
