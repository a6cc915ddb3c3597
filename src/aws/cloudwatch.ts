/**
 * The only door to the CloudWatch SDK: the alarms the ECS lifecycle hook checks (src/rollout/).
 * Only the hook loads it.
 */
export { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
