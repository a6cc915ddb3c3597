/** The EventBridge pattern matcher used by events.test.ts, on the documented examples of each operator. */
import { describe, expect, it } from 'vitest';
import { matches, validatePattern, type EventPattern } from './eventPattern.js';

const event = {
  source: 'aws.ecr',
  'detail-type': 'ECR Image Action',
  resources: ['arn:aws:ecs:eu-west-1:123456789012:service/c/s', 'arn:aws:ecs:eu-west-1:123456789012:cluster/c'],
  detail: { result: 'SUCCESS', 'image-tag': 'v1', size: 5, nested: { deep: 'yes' }, flags: ['a', 'b'], empty: null },
};

describe('EventBridge pattern matching', () => {
  it.each<[string, EventPattern, boolean]>([
    ['exact value', { source: ['aws.ecr'] }, true],
    ['exact value, no match', { source: ['aws.ecs'] }, false],
    ['one of several values', { source: ['aws.ecs', 'aws.ecr'] }, true],
    ['exact number', { detail: { size: [5] } }, true],
    ['exact null', { detail: { empty: [null] } }, true],
    ['a string is not a number', { detail: { size: ['5'] } }, false],
    ['fields not in the pattern are ignored', { 'detail-type': ['ECR Image Action'] }, true],
    ['every field must match', { source: ['aws.ecr'], 'detail-type': ['ECR Image Scan'] }, false],
    ['nested object', { detail: { nested: { deep: ['yes'] } } }, true],
    ['nested object, no match', { detail: { nested: { deep: ['no'] } } }, false],
    ['nested object on a missing field', { detail: { missing: { deep: ['yes'] } } }, false],
    ['prefix', { detail: { 'image-tag': [{ prefix: 'v' }] } }, true],
    ['prefix, no match', { detail: { 'image-tag': [{ prefix: 'w' }] } }, false],
    ['prefix or value', { detail: { 'image-tag': ['latest', { prefix: 'v1' }] } }, true],
    ['array field: any element', { resources: [{ prefix: 'arn:aws:ecs:eu-west-1:123456789012:cluster/' }] }, true],
    ['array field: no element', { resources: [{ prefix: 'arn:aws:ecs:us-east-1:' }] }, false],
    ['array field: exact element', { detail: { flags: ['b'] } }, true],
    ['anything-but a value', { detail: { result: [{ 'anything-but': 'FAILURE' }] } }, true],
    ['anything-but that value', { detail: { result: [{ 'anything-but': 'SUCCESS' }] } }, false],
    ['anything-but a list', { detail: { result: [{ 'anything-but': ['FAILURE', 'SUCCESS'] }] } }, false],
    ['anything-but a prefix', { detail: { 'image-tag': [{ 'anything-but': { prefix: 'dev-' } }] } }, true],
    ['anything-but that prefix', { detail: { 'image-tag': [{ 'anything-but': { prefix: 'v' } }] } }, false],
    ['anything-but needs the field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
    ['exists: true on a present field', { detail: { 'image-tag': [{ exists: true }] } }, true],
    ['exists: true on a missing field', { detail: { missing: [{ exists: true }] } }, false],
    ['exists: false on a missing field', { detail: { missing: [{ exists: false }] } }, true],
    ['exists: false on a present field', { detail: { 'image-tag': [{ exists: false }] } }, false],
    ['exists on an array field', { resources: [{ exists: true }] }, true],
  ])('%s', (_name, pattern, expected) => {
    expect(matches(pattern, event)).toBe(expected);
  });

  it.each<[string, unknown]>([
    ['a leaf that is not an array', { source: 'aws.ecr' }],
    ['an empty list of values', { source: [] }],
    ['an unknown operator', { source: [{ suffix: '.ecr' }] }],
    ['an operator with two keys', { source: [{ prefix: 'a', exists: true }] }],
    ['an empty prefix', { source: [{ prefix: '' }] }],
    ['exists with a string', { source: [{ exists: 'yes' }] }],
    ['$or (not supported here)', { $or: [{ source: ['a'] }, { source: ['b'] }] }],
    ['an empty pattern', {}],
  ])('rejects %s', (_name, pattern) => {
    expect(() => validatePattern(pattern as EventPattern)).toThrow();
  });
});
