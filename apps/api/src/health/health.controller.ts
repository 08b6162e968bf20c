import { Controller, Get } from '@nestjs/common';
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
  check() {
    return this.health.check([
      () => {
        const startup = this.indicators.check('startup');
        return this.readiness.pending === null ? startup.up() : startup.down({ waitingFor: this.readiness.pending });
      },
      () => this.database.pingCheck('database', { timeout: 3000 }),
    ]);
  }
}
