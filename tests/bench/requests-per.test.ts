import { describe, expect, it } from 'vitest';
import { requestsPer } from '../../bench/requests-per.js';

describe('requestsPer', () => {
  it('divides what was served between two readings by the runs, busiest operation first', () => {
    const before = { 'dynamodb:PutItem': 10, 'dynamodb:Query': 4 };
    const after = { 'dynamodb:PutItem': 40, 'dynamodb:Query': 44, 'dynamodb:GetItem': 5, 's3:GET': 0 };
    const per = requestsPer(before, after, 10);
    expect(per).toEqual({ total: 7.5, 'dynamodb:Query': 4, 'dynamodb:PutItem': 3, 'dynamodb:GetItem': 0.5 });
    expect(Object.keys(per)).toEqual(['total', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:GetItem']);
  });
});
