/**
 * The only door to the DynamoDB SDK: it re-exports just the client, the commands and the error
 * deploybridge uses, for the deployments journal (src/following/dynamodb.ts) and the client of
 * Powertools Idempotency (src/deploy/idempotency/powertools.ts), which sends its own commands.
 */
export { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
