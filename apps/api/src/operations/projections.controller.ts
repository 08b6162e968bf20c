import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '@chancery/common';
import { OverdueScheduler } from '@chancery/demarches';
import { ProjectionRunner } from '@chancery/event-store';
import { ChangesNoVersionedRecord, Ctx } from '@chancery/http';
import { RedriveProjection } from '@chancery/platform';
import { RequirePermission } from '../auth/access.decorators.js';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('admin/projections')
export class ProjectionsController {
  constructor(
    private readonly runner: ProjectionRunner,
    private readonly redriveProjection: RedriveProjection,
    private readonly overdue: OverdueScheduler,
  ) {}

  @Get()
  @RequirePermission('operations.read')
  @ApiOperation({ summary: 'Every projection: kind, mode, state (running, caught-up, stopped), checkpoint, lag, dead letters and failure; and this process\'s overdue scan (admins)' })
  async status() {
    const items = await this.runner.status();
    return { items, total: items.length, overdueScan: this.overdue.status() };
  }

  @Post(':name/redrive')
  @HttpCode(200)
  @ChangesNoVersionedRecord()
  @RequirePermission('operations.manage')
  @ApiOperation({ summary: 'A stopped reaction retries the event it stopped at; a read model applies its dead letters again; audited (admins)' })
  redrive(@Param('name') name: string, @Ctx() ctx: CommandContext) {
    return this.redriveProjection.execute(ctx, name);
  }
}
