/**
 * The SSM read the SSM route makes while planning: who changed a parameter last, and its version.
 * Metadata only — `DescribeParameters` never returns a value.
 */
import type { SSMClient } from '../../aws/ssmMetadata.js';

/** What Parameter Store says about a parameter's last change. */
export interface ParameterChange {
  /** The ARN of the user or role that changed it last, when SSM recorded one. */
  lastModifiedUser: string | undefined;
  version: number | undefined;
}

export interface SsmReads {
  /** `DescribeParameters` filtered to exactly this name; `undefined` when it no longer exists. */
  parameterChange(name: string): Promise<ParameterChange | undefined>;
}

/**
 * SSM reads on an SSM client (which honours `AWS_ENDPOINT_URL` and the SDK's retries).
 *
 * @example
 * const reads = createSsmReads(new SSMClient({ region: 'eu-west-1' }));
 * await reads.parameterChange('/dev/myproject/api/DB_HOST'); // { lastModifiedUser: 'arn:aws:iam::…:user/alice', version: 7 }
 */
export function createSsmReads(client: SSMClient): SsmReads {
  return {
    async parameterChange(name) {
      const { DescribeParametersCommand } = await import('../../aws/ssmMetadata.js');
      const { Parameters } = await client.send(
        new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [name] }] }),
      );
      const parameter = Parameters?.find((p) => p.Name === name);
      return parameter === undefined ? undefined : { lastModifiedUser: parameter.LastModifiedUser, version: parameter.Version };
    },
  };
}
