import { Controller, Get, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsInstant } from '@chancery/http';
import type { Principal } from '@chancery/identity';
import { DashboardQuery } from '@chancery/reporting';
import { CurrentUser, RequirePermission } from '../auth/access.decorators.js';

export class DashboardRequest {
  @IsOptional() @IsInstant('asOf') asOf?: Date;
}

@ApiTags('leadership')
@ApiBearerAuth()
@Controller('dashboard')
export class DashboardController {
  constructor(private readonly dashboard: DashboardQuery) {}

  @Get()
  @RequirePermission('dashboard.read')
  @ApiOperation({ summary: 'Campaigns with delivery and response counts, positions, by bureau, overdue posts; follow-ups by owner and bureau. ?asOf= replays the past.' })
  get(@Query() query: DashboardRequest, @CurrentUser() user: Principal, @Req() request: Request) {
    return this.dashboard.dashboard(user, query.asOf, String(request.id));
  }
}
