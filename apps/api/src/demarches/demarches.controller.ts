import { Body, Controller, Get, Header, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ChanceryError, type CommandContext, ErrorCode } from '@chancery/common';
import { CampaignReader, type DeliveryRecord, DemarchesQuery, RecordDeliveryCommand } from '@chancery/demarches';
import { Ctx } from '@chancery/http';
import type { Principal } from '@chancery/identity';
import { CurrentUser, ReadsRecord, RequirePermission } from '../auth/access.decorators.js';
import { DeliveredRequest, ListDemarchesQuery, NotDeliveredRequest, ResponseRequest } from './demarches.request.dto.js';

const uuid = new ParseUUIDPipe({ version: '4' });
const POST = /^[A-Z]{3,24}$/;

@ApiTags('demarches')
@ApiBearerAuth()
@Controller('demarches')
export class DemarchesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly demarches: DemarchesQuery,
    private readonly campaigns: CampaignReader,
  ) {}

  @Get()
  @RequirePermission('demarches.read')
  @ApiOperation({ summary: 'Campaigns the caller may read, with their live summaries' })
  list(@Query() query: ListDemarchesQuery, @CurrentUser() user: Principal, @Req() request: Request) {
    return this.demarches.list(user, query.limit, query.offset, String(request.id));
  }

  @Get(':id')
  @RequirePermission('demarches.read')
  @ReadsRecord('cable')
  @ApiOperation({ summary: 'A campaign with its summary, every post’s delivery, and the caller’s allowedActions' })
  get(@Param('id', uuid) id: string, @CurrentUser() user: Principal, @Req() request: Request) {
    return this.campaigns.get(user, id, String(request.id));
  }

  @Get(':id/history')
  @RequirePermission('demarches.read')
  @ReadsRecord('cable')
  @ApiOperation({ summary: 'The campaign’s events and its deliveries’, in the feed’s order: its timeline' })
  history(@Param('id', uuid) id: string, @CurrentUser() user: Principal, @Req() request: Request) {
    return this.campaigns.history(user, id, String(request.id));
  }

  @Get(':id/export.csv')
  @RequirePermission('exports.read')
  @ReadsRecord('cable')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOperation({ summary: 'One row per post: delivery, counterpart, position, summary, overdue (RFC 4180 CSV)' })
  async export(@Param('id', uuid) id: string, @CurrentUser() user: Principal, @Req() request: Request) {
    const { filename, csv } = await this.campaigns.exportCsv(user, id, String(request.id));
    request.res?.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    return csv;
  }

  @Get(':id/deliveries/:post')
  @RequirePermission('demarches.read')
  @ReadsRecord('cable')
  delivery(@Param('id', uuid) id: string, @Param('post') post: string, @CurrentUser() user: Principal, @Req() request: Request) {
    return this.campaigns.delivery(user, id, post, String(request.id));
  }

  @Post(':id/deliveries/:post/delivery')
  @RequirePermission('demarches.report')
  @ReadsRecord('cable')
  delivered(@Param('id', uuid) id: string, @Param('post') post: string, @Body() body: DeliveredRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.record(ctx, user, id, post, { kind: 'delivered', ...body });
  }

  @Post(':id/deliveries/:post/response')
  @RequirePermission('demarches.report')
  @ReadsRecord('cable')
  response(@Param('id', uuid) id: string, @Param('post') post: string, @Body() body: ResponseRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.record(ctx, user, id, post, { kind: 'response', ...body, quotes: body.quotes ?? [], reportingCableId: body.reportingCableId ?? null });
  }

  @Post(':id/deliveries/:post/not-delivered')
  @RequirePermission('demarches.report')
  @ReadsRecord('cable')
  notDelivered(@Param('id', uuid) id: string, @Param('post') post: string, @Body() body: NotDeliveredRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.record(ctx, user, id, post, { kind: 'notDelivered', reason: body.reason });
  }

  private record(ctx: CommandContext, user: Principal, id: string, post: string, record: DeliveryRecord) {
    if (!POST.test(post)) throw new ChanceryError(ErrorCode.ValidationFailed, 'post must be a post code such as BEIJING', { errors: [{ field: 'post', message: 'not a post code' }] });
    return this.commands.execute(new RecordDeliveryCommand(ctx, user, id, post, record));
  }
}
