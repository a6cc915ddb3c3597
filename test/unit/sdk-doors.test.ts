/**
 * src/aws/ is the only door to the SDK: a module elsewhere that loads an SDK package (a value or
 * dynamic import) would bypass what the doors choose (the client and commands used, loaded on first
 * use). Type-only imports load nothing and are allowed anywhere. And the doors are opened with
 * import(): the SDK's code loads with a route's first call to it, while deploybridge's own code
 * loads with the handler (few files: each file a cold start loads costs CPU of its own).
 */
import { describe, expect, it } from 'vitest';
import { parseImports, sourceImports } from '../helpers/importGraph.js';

const isSdk = (specifier: string) => /^@(aws-sdk|smithy)\//.test(specifier);

/** `file: specifier` of each import of an SDK package that loads it, outside src/aws/. */
function bypasses(imports: Map<string, Array<{ specifier: string; kind: string }>>): string[] {
  return [...imports].flatMap(([file, list]) =>
    file.startsWith('src/aws/') ? [] : list.filter((i) => i.kind !== 'type' && isSdk(i.specifier)).map((i) => `${file}: ${i.specifier}`),
  );
}

describe('the doors to the SDK (src/aws/)', () => {
  it('no module outside src/aws/ loads an SDK package', () => {
    expect(bypasses(sourceImports())).toEqual([]);
  });

  it('a value or dynamic import of an SDK package outside src/aws/ is reported, a type-only one is not', () => {
    const imports = new Map([
      ['src/following/store.ts', parseImports("import { DynamoDBClient } from '@aws-sdk/client-dynamodb';")],
      ['src/deploy/lazy.ts', parseImports("const m = await import('@smithy/core');")],
      ['src/deploy/types.ts', parseImports("import type { Service } from '@aws-sdk/client-ecs';")],
      ['src/aws/dynamodb.ts', parseImports("export { DynamoDBClient } from '@aws-sdk/client-dynamodb';")],
    ]);
    expect(bypasses(imports)).toEqual(['src/following/store.ts: @aws-sdk/client-dynamodb', 'src/deploy/lazy.ts: @smithy/core']);
  });
});

/** Modules outside src/aws/ that import a door's values statically (the offline tools aside). */
function staticDoorImporters(graph: ReturnType<typeof sourceImports>): string[] {
  const isDoor = (file: string | undefined) => file !== undefined && file.startsWith('src/aws/') && file !== 'src/aws/clients.ts';
  const offline = (file: string) => file.startsWith('src/local/') || file.startsWith('src/verify/');
  return [...graph]
    .filter(
      ([file, imports]) => !file.startsWith('src/aws/') && !offline(file) && imports.some((i) => i.kind === 'value' && isDoor(i.file)),
    )
    .map(([file]) => file)
    .sort();
}

describe('the doors are opened with import()', () => {
  it("a module takes an SDK client's commands with import(); those that import a door are SDK adapters (the idempotency guard, the DynamoDB store), themselves loaded with import()", () => {
    const graph = sourceImports();
    const adapters = staticDoorImporters(graph);
    expect(adapters).toEqual(['src/deploy/idempotency/powertools.ts', 'src/following/dynamodb.ts']);
    const loadedStatically = [...graph].flatMap(([file, imports]) =>
      file.startsWith('src/local/') || file.startsWith('src/verify/')
        ? []
        : imports.filter((i) => i.kind === 'value' && i.file !== undefined && adapters.includes(i.file)).map((i) => `${file} -> ${i.file}`),
    );
    expect(loadedStatically).toEqual([]);
  });
});
