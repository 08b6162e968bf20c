import { ConfigurationError, isNamedFailure, loadConfig } from './environment.js';

describe('loadConfig', () => {
  it('has working defaults: embedded database in ./data, port 3000', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, databaseUrl: undefined, dataDir: './data', poolSize: 10, acquireTimeoutMs: 10_000, projections: { inline: true }, departmentTimeZone: 'America/New_York' });
    expect(config.embeddedMaintenanceMs).toBe(300_000);
  });

  it('reads how often the embedded database is maintained, 0 to turn it off', () => {
    expect(loadConfig({ EMBEDDED_MAINTENANCE_MS: '0' }).embeddedMaintenanceMs).toBe(0);
    expect(loadConfig({ EMBEDDED_MAINTENANCE_MS: '60000' }).embeddedMaintenanceMs).toBe(60_000);
    expect(() => loadConfig({ EMBEDDED_MAINTENANCE_MS: '-1' })).toThrow(/EMBEDDED_MAINTENANCE_MS="-1": EMBEDDED_MAINTENANCE_MS must be an integer/);
    expect(() => loadConfig({ EMBEDDED_MAINTENANCE_MS: '5m' })).toThrow(/EMBEDDED_MAINTENANCE_MS="5m"/);
  });

  it('reads and converts the settings it knows', () => {
    const config = loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://u@db:5432/chancery', DB_POOL_SIZE: '25', DB_ACQUIRE_TIMEOUT_MS: '2500', PROJECTIONS_INLINE: 'false' });
    expect(config).toMatchObject({ port: 8080, databaseUrl: 'postgres://u@db:5432/chancery', poolSize: 25, acquireTimeoutMs: 2500, projections: { inline: false } });
  });

  it('names every bad setting and why', () => {
    const attempt = () => loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', PROJECTIONS_INLINE: 'maybe', DEPARTMENT_TIME_ZONE: 'Washington' });
    expect(attempt).toThrow(ConfigurationError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigurationError).problems.join('\n');
      expect(problems).toMatch(/PORT="abc": PORT must be an integer/);
      expect(problems).toMatch(/DATABASE_URL=\(hidden\): DATABASE_URL must be a postgres/);
      expect(problems).toMatch(/LOG_LEVEL="loud"/);
      expect(problems).toMatch(/PROJECTIONS_INLINE="maybe"/);
      expect(problems).toMatch(/DEPARTMENT_TIME_ZONE="Washington": DEPARTMENT_TIME_ZONE must be an IANA time zone such as America\/New_York/);
    }
  });

  it('reads whole numbers as decimal digits: a hexadecimal, an exponent or spaces are refused, not read as another number', () => {
    for (const port of ['0x0D55', '1e3', ' 80', '80.0', '+80']) expect(() => loadConfig({ PORT: port })).toThrow(new RegExp(`PORT=${JSON.stringify(port).replace(/[+.]/g, '\\$&')}: PORT must be an integer`));
    expect(() => loadConfig({ DB_POOL_SIZE: '0x10' })).toThrow(/DB_POOL_SIZE="0x10": DB_POOL_SIZE must be an integer/);
    expect(loadConfig({ PORT: '0', DB_POOL_SIZE: '007' })).toMatchObject({ port: 0, poolSize: 7 });
  });

  it('refuses a token lifetime that signs nobody in or lasts past a month, and a listen address that is none', () => {
    for (const ttl of ['0s', '59s', '31d', '8 h']) expect(() => loadConfig({ JWT_TTL: ttl })).toThrow(new RegExp(`JWT_TTL="${ttl}": JWT_TTL must look like 30m, 8h or 1d, from 1 minute to 30 days`));
    for (const ttl of ['60s', '1m', '8h', '30d']) expect(loadConfig({ JWT_TTL: ttl }).auth.jwtTtl).toBe(ttl);
    for (const host of ['999.1.1.1', 'not a host', '1.2.3', '-bad-.example']) expect(() => loadConfig({ HOST: host })).toThrow(/HOST=".*": HOST must be an IP address/);
    for (const host of ['0.0.0.0', '127.0.0.1', '::', '::1', 'localhost', 'api.internal', 'chancery.example.gov']) expect(loadConfig({ HOST: host }).host).toBe(host);
  });

  it('never repeats a secret in its messages', () => {
    expect(() => loadConfig({ JWT_SECRET: 'short-secret', ADMIN_PASSWORD: 'hunter2' })).toThrow(/JWT_SECRET=\(hidden\)/);
    try {
      loadConfig({ JWT_SECRET: 'short-secret', ADMIN_PASSWORD: 'hunter2' });
    } catch (error) {
      expect((error as Error).message).not.toMatch(/short-secret|hunter2/);
    }
  });

  it('treats empty variables as unset, but for an empty DATABASE_URL, which would start the embedded database where a server was meant', () => {
    expect(loadConfig({ PORT: '', CHANCERY_DATA_DIR: '' })).toMatchObject({ databaseUrl: undefined, port: 3000, dataDir: './data' });
    expect(() => loadConfig({ DATABASE_URL: '' })).toThrow(/DATABASE_URL="": set but empty; give the postgres:\/\/ URL of the server, or unset it/);
  });

  it('reads the mail and live settings: email off by default, a bad one named (an SMTP URL hidden: it may hold a password)', () => {
    expect(loadConfig({})).toMatchObject({ mail: { smtpUrl: undefined, domain: 'localhost', appUrl: 'http://localhost:3000' }, live: { heartbeatMs: 20_000 } });
    expect(loadConfig({ SMTP_URL: 'smtps://u:p@mail.example.gov:465', MAIL_DOMAIN: 'state.gov', APP_URL: 'https://chancery.state.gov/' })).toMatchObject({
      mail: { smtpUrl: 'smtps://u:p@mail.example.gov:465', domain: 'state.gov', appUrl: 'https://chancery.state.gov' },
    });
    expect(() => loadConfig({ SMTP_URL: 'http://u:secret-word@x' })).toThrow(/SMTP_URL=\(hidden\): SMTP_URL must be an smtp/);
    expect(() => loadConfig({ SMTP_URL: 'http://u:secret-word@x' })).not.toThrow(/secret-word/);
    expect(() => loadConfig({ MAIL_DOMAIN: 'not a domain' })).toThrow(/MAIL_DOMAIN="not a domain"/);
    expect(() => loadConfig({ LIVE_HEARTBEAT_MS: '5' })).toThrow(/LIVE_HEARTBEAT_MS/);
  });

  it('closes an idle answer after a minute by default (three heartbeats if longer), and refuses an idle limit no longer than a heartbeat', () => {
    expect(loadConfig({}).httpIdleTimeoutMs).toBe(60_000);
    expect(loadConfig({ LIVE_HEARTBEAT_MS: '60000' }).httpIdleTimeoutMs).toBe(180_000);
    expect(loadConfig({ HTTP_IDLE_TIMEOUT_MS: '1500', LIVE_HEARTBEAT_MS: '500' }).httpIdleTimeoutMs).toBe(1500);
    // The database's waits come before an answer's headers: no bound on them.
    expect(loadConfig({ HTTP_IDLE_TIMEOUT_MS: '5000', DB_ACQUIRE_TIMEOUT_MS: '60000', LIVE_HEARTBEAT_MS: '1000' }).httpIdleTimeoutMs).toBe(5000);
    expect(() => loadConfig({ HTTP_IDLE_TIMEOUT_MS: '15000' })).toThrow(/HTTP_IDLE_TIMEOUT_MS=15000: must be longer than LIVE_HEARTBEAT_MS \(20000\)/);
    expect(() => loadConfig({ HTTP_IDLE_TIMEOUT_MS: 'soon' })).toThrow(/HTTP_IDLE_TIMEOUT_MS="soon"/);
  });
});

describe('isNamedFailure', () => {
  const failure = (message: string, fields: Record<string, unknown>) => Object.assign(new Error(message), fields);

  it('takes a failure the system or PostgreSQL names as said by its message: a syscall error, an SQLSTATE', () => {
    expect(isNamedFailure(failure('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED', syscall: 'connect' }))).toBe(true);
    expect(isNamedFailure(failure('database "x" does not exist', { code: '3D000' }))).toBe(true);
  });

  it('leaves any other failure to be said with its stack', () => {
    expect(isNamedFailure(new TypeError('x is not a function'))).toBe(false);
    expect(isNamedFailure(failure('no such module', { code: 'ERR_MODULE_NOT_FOUND' }))).toBe(false);
    expect(isNamedFailure({ code: '3D000', message: 'not an Error' })).toBe(false);
  });
});

