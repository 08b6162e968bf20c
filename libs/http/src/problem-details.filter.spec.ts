import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { MAX_SAID } from './problem-details.js';

describe('ProblemDetailsFilter', () => {
  afterEach(() => jest.restoreAllMocks());

  it('logs an unhandled error naming the request without the live feed ticket in its address', () => {
    const lines: string[] = [];
    jest.spyOn(Logger.prototype, 'error').mockImplementation((...args: unknown[]) => void lines.push(JSON.stringify(args)));
    const request = { id: 'r1', method: 'GET', originalUrl: '/events/stream?ticket=s3cret-ticket', path: '/events/stream' };
    const response = { headersSent: true, setHeader() {}, status() { return this; }, type() { return this; }, send() {} };
    const host = { switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }) };
    new ProblemDetailsFilter().catch(new Error('boom'), host as never);
    expect(lines.join('')).toContain('/events/stream?ticket=[Redacted]');
    expect(lines.join('')).not.toMatch(/s3cret/);
  });

  it('says the start of a refusal that quotes a long text sent, not all of it again', () => {
    let sent = '';
    const request = { id: 'r2', method: 'POST', originalUrl: '/cables', path: '/cables' };
    const response = { headersSent: false, setHeader() {}, status() { return this; }, type() { return this; }, send(body: string) { sent = body; } };
    const host = { switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }) };
    const tag = 'X'.repeat(100_000);
    new ProblemDetailsFilter().catch(new ChanceryError(ErrorCode.RuleViolated, `${tag} is not a TAG`, { errors: [{ field: 'tags', message: `${tag} is not a TAG` }, { field: tag, message: 'property should not exist' }] }), host as never);
    const problem = JSON.parse(sent) as { detail: string; errors: { field: string; message: string }[] };
    expect(sent.length).toBeLessThan(5 * MAX_SAID);
    expect(problem.detail).toBe(`${'X'.repeat(MAX_SAID)}… (cut: ${`${tag} is not a TAG`.length} characters in all)`);
    expect(problem.errors[0].message.startsWith('XXXX')).toBe(true);
    expect(problem.errors[0].message.length).toBeLessThan(MAX_SAID + 50);
    // A key sent is a field's name: said as far, too.
    expect(problem.errors[1].field.length).toBeLessThan(MAX_SAID + 50);
  });
});
