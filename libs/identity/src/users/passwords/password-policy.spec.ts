import { passwordProblem } from './password-policy.js';

describe('the password policy', () => {
  const user = { username: 'jdoe', displayName: 'Jane Doe' };

  it.each([
    ['short', /at least 12/],
    ['x'.repeat(257), /at most 256/],
    ['JDOE', /at least 12/],
    ['password1234', /breaches|guess/],
    ['iloveyou1234', /breaches|guess/],
    ['qwertyuiop12', /breaches|guess/],
    ['janedoe12345', /guess/],
    ['chancery2026!', /guess/],
    ['Jane Doe Jane Doe', /guess/], // the user's name twice, spaced
  ])('refuses %j', (password, problem) => {
    expect(passwordProblem(password, user)).toMatch(problem);
  });

  it('refuses the username itself, in any case', () => {
    expect(passwordProblem('LongUserName', { username: 'longusername' })).toBe('must not be the username');
  });

  it.each(['correct-horse-battery', 'violet-canyon-ledger', 'Tq7#vL2m!pR9xW', 'olive sunset kettle'])('accepts %j', (password) => {
    expect(passwordProblem(password, user)).toBeUndefined();
  });
});
