import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Readiness } from '@chancery/platform';
import { Public } from '../auth/access.decorators.js';

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
      const failing = (error.getResponse() as { error?: Record<string, { waitingFor?: string; message?: string }> }).error ?? {};
      const reasons = Object.entries(failing).map(([check, result]) =>
        check === 'startup' ? `still starting, waiting for ${result.waitingFor}` : check === 'database' ? `the database does not answer${result.message ? ` (${result.message})` : ''}` : `${check} is down`,
      );
      throw new ServiceUnavailableException(`Not ready: ${reasons.join('; ') || 'a check failed'}.`);
    }
  }
}
