/**
 * The Lambda read the ECR route makes while planning: whether a function is an image function, and
 * which image it is configured with.
 */
import type { LambdaClient } from '../../aws/lambda.js';

/** The image a function is configured with, as the ECR route needs it. */
export interface FunctionImage {
  /** `Image` or `Zip`. */
  packageType: string;
  imageUri: string | undefined;
}

export interface LambdaReads {
  /** One `GetFunction`: whether the function is an image function, and which image it is configured with. */
  functionImage(functionName: string): Promise<FunctionImage>;
}

/**
 * Lambda reads on a Lambda client (which honours `AWS_ENDPOINT_URL` and the SDK's retries).
 *
 * @example
 * const reads = createLambdaReads(new LambdaClient({ region: 'eu-west-1' }));
 * await reads.functionImage('myproject_lambda_renderer_dev'); // { packageType: 'Image', imageUri: '…/myproject_lambda_renderer:latest' }
 */
export function createLambdaReads(client: LambdaClient): LambdaReads {
  return {
    async functionImage(functionName) {
      const { GetFunctionCommand } = await import('../../aws/lambda.js');
      const { Configuration, Code } = await client.send(new GetFunctionCommand({ FunctionName: functionName }));
      // Only the package type and image are kept: GetFunction also returns a presigned code URL and the environment.
      return { packageType: Configuration?.PackageType ?? 'Zip', imageUri: Code?.ImageUri };
    },
  };
}
