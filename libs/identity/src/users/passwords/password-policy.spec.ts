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

  it.each(['tclear-tclear-tclear', 'tclear.tclear.tclear', 'TiaClear2026!TiaClear', 'Clear-Tia-Clear-Tia-2026'])('refuses %j, the user\'s own names repeated or dressed up', (password) => {
    expect(passwordProblem(password, { username: 'tclear', displayName: 'Tia Clear' })).toMatch(/own names|guess/);
  });

  it.each(['political officer beijing', 'Political-Officer-Beijing!'])('refuses %j, the words of a display name with punctuation between them', (password) => {
    expect(passwordProblem(password, { username: 'pol.beijing', displayName: 'Political officer, BEIJING' })).toMatch(/own names|guess/);
  });

  it.each([
    ['tclear keeps violet canyon ledgers', { username: 'tclear', displayName: 'Tia Clear' }],
    ['pol.beijing-password-123', { username: 'pol.beijing', displayName: 'Political officer, BEIJING' }],
  ])('accepts %j: a strong password that also holds the user\'s name', (password, owner) => {
    expect(passwordProblem(password, owner)).toBeUndefined();
  });

  it('refuses the username itself, in any case', () => {
    expect(passwordProblem('LongUserName', { username: 'longusername' })).toBe('must not be the username');
  });

  it.each(['correct-horse-battery', 'violet-canyon-ledger', 'Tq7#vL2m!pR9xW', 'olive sunset kettle'])('accepts %j', (password) => {
    expect(passwordProblem(password, user)).toBeUndefined();
  });
});
