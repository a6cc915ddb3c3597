/**
 * The deployments table on DynamoDB. Each item: `id` (the key), `version` (a write is conditional on
 * the version it read, so two invocations never overwrite each other's step), `entry` (the record
 * as JSON) and `expiration` (TTL, epoch seconds).
 */
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand } from '../aws/dynamodb.js';
import type { DeploymentJournal, DynamoDbJournalOptions, JournalEntry } from './journal.js';

/**
 * The journal on a DynamoDB client (the caller's, in tests; otherwise one for the region).
 *
 * @example
 * const journal = createDynamoDbStore({ tableName: 'myproject-deploybridge-dev-deployments', region: 'eu-west-1', ttlSeconds: 1_209_600 });
 * await journal.read('deployment#ecs-svc/1234567890123456789'); // { entry, version } or undefined
 */
export function createDynamoDbStore(
  options: DynamoDbJournalOptions,
  client = new DynamoDBClient({ region: options.region }),
): DeploymentJournal {
  const TableName = options.tableName;
  return {
    async read(key) {
      const { Item } = await client.send(new GetItemCommand({ TableName, Key: { id: { S: key } }, ConsistentRead: true }));
      const entry = Item?.entry?.S;
      if (Item === undefined || entry === undefined) return undefined;
      return { entry: JSON.parse(entry) as JournalEntry, version: Number(Item.version?.N ?? '0') };
    },
    async write(key, entry, expected) {
      const version = (expected ?? 0) + 1;
      const expiration = Math.floor(Date.now() / 1000) + options.ttlSeconds;
      try {
        await client.send(
          new PutItemCommand({
            TableName,
            Item: {
              id: { S: key },
              version: { N: String(version) },
              entry: { S: JSON.stringify(entry) },
              expiration: { N: String(expiration) },
            },
            ...(expected === undefined
              ? { ConditionExpression: 'attribute_not_exists(id)' }
              : {
                  ConditionExpression: '#version = :expected',
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':expected': { N: String(expected) } },
                }),
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
  };
}
