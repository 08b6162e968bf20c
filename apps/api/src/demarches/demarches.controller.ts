import { Body, Controller, Get, Header, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuditLog } from '@chancery/audit';
import { ChanceryError, type CommandContext, ErrorCode } from '@chancery/common';
import { type DeliveryRecord, DemarchesQuery, RecordDeliveryCommand, summarize } from '@chancery/demarches';
import { EventStore } from '@chancery/event-store';
import { Ctx } from '@chancery/http';
import { type Principal, PolicyService } from '@chancery/identity';
import { PostsQuery } from '@chancery/posts';
import { CurrentUser, RequirePermission } from '../auth/access.decorators.js';
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
    private readonly policy: PolicyService,
    private readonly audit: AuditLog,
    private readonly store: EventStore,
    private readonly posts: PostsQuery,
  ) {}

  @Get()
  @RequirePermission('demarches.read')
  @ApiOperation({ summary: 'Campaigns the caller may read, with their live summaries' })
  list(@Query() query: ListDemarchesQuery, @CurrentUser() user: Principal) {
    return this.demarches.list(user, query.limit, query.offset);
  }

  @Get(':id')
  @RequirePermission('demarches.read')
  @ApiOperation({ summary: 'A campaign with its summary and every post’s delivery' })
  async get(@Param('id', uuid) id: string, @CurrentUser() user: Principal, @Req() request: Request) {
    const campaign = await this.readable(id, user, request, 'campaign');
    const deliveries = await this.demarches.deliveries(campaign);
    const { readable: _readable, posts: _posts, ...facts } = campaign;
    return { ...facts, summary: summarize(deliveries), deliveries };
  }

  @Get(':id/history')
  @RequirePermission('demarches.read')
  @ApiOperation({ summary: 'The campaign’s events and its deliveries’, in the feed’s order: its timeline' })
  async history(@Param('id', uuid) id: string, @CurrentUser() user: Principal, @Req() request: Request) {
    const campaign = await this.readable(id, user, request, 'history');
    const items = await this.demarches.history(campaign);
    return { items, total: items.length };
  }

  @Get(':id/export.csv')
  @RequirePermission('exports.read')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOperation({ summary: 'One row per post: delivery, counterpart, position, summary, overdue (RFC 4180 CSV)' })
  async export(@Param('id', uuid) id: string, @CurrentUser() user: Principal, @Req() request: Request) {
    const campaign = await this.readable(id, user, request, 'export');
    request.res?.setHeader('Content-Disposition', `attachment; filename="demarche-${campaign.mrn.replaceAll(' ', '')}.csv"`);
    const posts = new Map((await this.posts.list({}, 10_000, 0)).items.map((p) => [p.code, p]));
    const rows = (await this.demarches.deliveries(campaign)).map((d) => ({
      post: d.post,
      country: posts.get(d.post)?.country ?? '',
      bureau: posts.get(d.post)?.bureau ?? '',
      status: d.status,
      deliveredOn: d.deliveredOn ?? '',
      counterpart: d.counterpart ? `${d.counterpart.name}, ${d.counterpart.title}, ${d.counterpart.organization}` : '',
      level: d.level ?? '',
      position: d.position ?? '',
      summary: d.summary ?? d.notDeliveredReason ?? '',
      overdue: d.overdue ? 'yes' : 'no',
    }));
    return stringify(rows, {
      header: true,
      columns: ['post', 'country', 'bureau', 'status', 'deliveredOn', 'counterpart', 'level', 'position', 'summary', 'overdue'],
    });
  }

  @Get(':id/deliveries/:post')
  @RequirePermission('demarches.read')
  async delivery(@Param('id', uuid) id: string, @Param('post') post: string, @CurrentUser() user: Principal, @Req() request: Request) {
    const campaign = await this.readable(id, user, request, `delivery ${post}`);
    const [delivery] = await this.demarches.deliveries(campaign, post);
    if (!delivery) throw new ChanceryError(ErrorCode.NotFound, `${post} is not tasked by this campaign`);
    const events = await this.store.readStream(`delivery-${id}:${post}`);
    const history = events.map((e) => ({ version: e.streamVersion, type: e.type, at: e.recordedAt.toISOString(), actor: e.metadata.actorId ?? null, data: e.data }));
    return { ...delivery, history };
  }

  @Post(':id/deliveries/:post/delivery')
  @RequirePermission('demarches.report')
  delivered(@Param('id', uuid) id: string, @Param('post') post: string, @Body() body: DeliveredRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.record(ctx, user, id, post, { kind: 'delivered', ...body });
  }

  @Post(':id/deliveries/:post/response')
  @RequirePermission('demarches.report')
  response(@Param('id', uuid) id: string, @Param('post') post: string, @Body() body: ResponseRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.record(ctx, user, id, post, { kind: 'response', ...body, quotes: body.quotes ?? [], reportingCableId: body.reportingCableId ?? null });
  }

  @Post(':id/deliveries/:post/not-delivered')
  @RequirePermission('demarches.report')
  notDelivered(@Param('id', uuid) id: string, @Param('post') post: string, @Body() body: NotDeliveredRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.record(ctx, user, id, post, { kind: 'notDelivered', reason: body.reason });
  }

  private record(ctx: CommandContext, user: Principal, id: string, post: string, record: DeliveryRecord) {
    if (!POST.test(post)) throw new ChanceryError(ErrorCode.ValidationFailed, 'post must be a post code such as BEIJING', { errors: [{ field: 'post', message: 'not a post code' }] });
    return this.commands.execute(new RecordDeliveryCommand(ctx, user, id, post, record));
  }

  private async readable(id: string, user: Principal, request: Request, view: string) {
    const campaign = await this.demarches.campaign(id);
    if (!campaign) throw new ChanceryError(ErrorCode.NotFound, `No campaign ${id}`);
    await this.policy.requireRead(user, campaign.readable, { requestId: String(request.id), action: `read campaign ${id} (${view})`, streamId: `campaign-${id}` });
    if (campaign.classification !== 'UNCLASSIFIED' && campaign.classification !== 'SBU') {
      await this.audit.append({
        actorId: user.id,
        actorRole: user.roles.join('+'),
        action: 'ReadCampaign',
        streamId: `campaign-${id}`,
        streamType: 'campaign',
        requestId: String(request.id),
        details: { view, classification: campaign.classification },
      });
    }
    return campaign;
  }
}
