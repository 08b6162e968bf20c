import { plainMessage } from './api.js';

describe('validation messages in plain words', () => {
  it('says a date field must be a date, whichever way the server words it', () => {
    expect(plainMessage('dueOn', 'dueOn must be a date, YYYY-MM-DD')).toBe('Due date must be a date.');
    expect(plainMessage('dueOn', 'dueOn must be YYYY-MM-DD')).toBe('Due date must be a date.');
  });

  it('says an unknown field is not expected, and an empty one cannot be', () => {
    expect(plainMessage('unexpected', 'property unexpected should not exist')).toMatch(/is not expected here\.$/);
    expect(plainMessage('title', 'title should not be empty')).toMatch(/cannot be empty\.$/);
  });
});
