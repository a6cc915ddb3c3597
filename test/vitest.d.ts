// Types for the aws-sdk-client-mock-vitest matchers registered in vitest.config.ts (setupFiles).
import type { CustomMatcher } from 'aws-sdk-client-mock-vitest';

declare module '@vitest/expect' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-empty-object-type -- merges with vitest's own declaration
  interface Assertion<T = any> extends CustomMatcher<T> {}
}
