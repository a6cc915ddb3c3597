/**
 * The only door to the SNS SDK: the client and the one command deploybridge uses (publishing a
 * notification for Amazon Q Developer in chat applications), loaded only when the SNS channel
 * publishes, so no other route loads it.
 */
export { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
