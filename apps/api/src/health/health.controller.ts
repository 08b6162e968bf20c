import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Readiness } from '@chancery/platform';
import { Public } from '../auth/access.decorators.js';

type FailedChecks = Record<string, { waitingFor?: string }>;

/**
 * What is not ready, in words, from Terminus's failed checks. The database's own error (its
 * address, the login refused) is not for an unauthenticated caller: the pool's log has it.
 */
function notReady(failing: FailedChecks): string {
  const reasons = Object.entries(failing).map(([check, result]) =>
    check === 'startup' ? `still starting, waiting for ${result.waitingFor}` : check === 'database' ? 'the database does not answer' : `${check} is down`,
  );
  return `Not ready: ${reasons.join('; ') || 'a check failed'}.`;
}

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: Readiness,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: 200 once the process can serve (migrations done, demo loaded) and its database answers; 503 otherwise' })
  async check() {
    try {
      return await this.health.check([
        () => {
          const startup = this.indicators.check('startup');
          return this.readiness.pending === null ? startup.up() : startup.down({ waitingFor: this.readiness.pending });
        },
        () => this.database.pingCheck('database', { timeout: 3000 }),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      // Not ready: said as what is not (Terminus's own answer is a bare "Service Unavailable Exception"), with a Retry-After.
      throw new ServiceUnavailableException(notReady((error.getResponse() as { error?: FailedChecks }).error ?? {}));
    }
  }
}
