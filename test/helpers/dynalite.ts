import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';

/**
 * A real DynamoDB-compatible server (dynalite, in memory) on 127.0.0.1, with the idempotency table
 * deploybridge expects: partition key `id` (TTL attribute `expiration` is written by Powertools).
 */
export async function startDynamoDb(tableName = 'deploybridge-idempotency') {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  /**
   * Creates a table keyed by `id` (the deployments table's and the idempotency table's shape) and
   * waits until it is ACTIVE: dynalite makes a new table ACTIVE on a timer, and a request sent
   * before that timer ran (a loaded machine) is answered ResourceNotFoundException.
   */
  const createTable = async (name: string): Promise<void> => {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await waitUntilTableExists({ client, minDelay: 1, maxDelay: 1, maxWaitTime: 10 }, { TableName: name });
  };
  await createTable(tableName);
  return {
    endpoint,
    client,
    tableName,
    createTable,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
