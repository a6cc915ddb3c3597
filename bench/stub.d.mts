// Types of bench/stub.mjs, for the tests in test/bench/.
export declare const DEFAULT_IMAGE: string;
export declare function answer(
  target: string,
  input: Record<string, unknown>,
  options?: { region?: string; image?: string; images?: Record<string, string>; webhookUrl?: string },
): [number, Record<string, unknown>];
export interface StubCall {
  target: string;
  input: Record<string, unknown>;
  start: number;
  end: number;
  /** When the request reached the stub, on the bench's `performance.now()` clock. */
  arrived: number;
}
export interface Stub {
  url: string;
  slackUrl: string;
  setDelay(ms: number): void;
  setImage(image: string): void;
  setImages(images: Record<string, string>): void;
  reset(): void;
  calls(): StubCall[];
  slackPosts(): number;
  maxInFlight(): number;
  close(): Promise<void>;
}
export declare function startStub(options?: { delayMs?: number; image?: string; images?: Record<string, string> }): Promise<Stub>;
export declare function lambdaOperation(
  method: string | undefined,
  pathname: string,
): { operation: string; functionName: string; alias: string | undefined } | undefined;
export declare function answerLambda(
  operation: { operation: string; functionName: string; alias: string | undefined },
  input: Record<string, unknown>,
  query: URLSearchParams,
  options?: { region?: string },
): [number, Record<string, unknown>, Record<string, string>];
export declare const PREVIOUS_VERSION: string;
export declare function s3Operation(
  method: string | undefined,
  url: URL,
): { operation: 'GetObject' | 'ListObjectVersions'; bucket: string; key: string; versionId?: string } | undefined;
export declare function answerS3(
  operation: { operation: 'GetObject' | 'ListObjectVersions'; bucket: string; key: string; versionId?: string },
  lastRead: string | undefined,
): [number, Record<string, string>, string];
export interface StartedRequest {
  target?: string;
  method?: string;
  path?: string;
  cpuMs?: number;
  atUs?: number;
}
export declare function firstWriteRequest<R extends StartedRequest>(requests: R[]): R | undefined;
