import { distributionText } from './distribution.js';

describe("a released cable's distribution, as the cable page says it", () => {
  it('names the Department, which is no post, and counts the posts', () => {
    expect(distributionText(['SECSTATE'])).toBe('the Department');
    expect(distributionText(['BEIJING'])).toBe('1 post');
    expect(distributionText(['BEIJING', 'TOKYO', 'SEOUL'])).toBe('3 posts');
    expect(distributionText(['SECSTATE', 'TOKYO'])).toBe('the Department and 1 post');
  });
});
