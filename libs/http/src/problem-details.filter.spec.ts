import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ProblemDetailsFilter } from './problem-details.filter.js';

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
});
