import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProjectionRunner } from '@chancery/event-store';
import { RequirePermission } from '../auth/access.decorators.js';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('admin/projections')
export class ProjectionsController {
  constructor(private readonly runner: ProjectionRunner) {}

  @Get()
  @RequirePermission('operations.read')
  @ApiOperation({ summary: 'Every projection: mode, checkpoint, lag and dead letters (admins)' })
  async status() {
    const items = await this.runner.status();
    return { items, total: items.length };
  }
}
