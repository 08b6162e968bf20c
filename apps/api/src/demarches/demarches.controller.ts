import { Readable } from 'node:stream';
import { Body, Controller, Get, Header, Param, Post, Query, Req, StreamableFile, UploadedFile } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { create as contentDisposition } from 'content-disposition';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ChanceryError, type CommandContext, ErrorCode } from '@chancery/common';
import { HistoryQuery } from '../common/paging.request.dto.js';
import { CampaignReader, type DeliveryRecord, DemarchesQuery, MAX_DOCUMENT_BYTES, RecordDeliveryCommand } from '@chancery/demarches';
import { CreatesRecordAt, Ctx, CountingNumberPipe, IdempotentUpload, postCodeParam, TakesContent, UuidPipe } from '@chancery/http';
import type { Principal } from '@chancery/identity';
import { CurrentUser, ReadsRecord, RequirePermission, ShowsUnder } from '../auth/access.decorators.js';
import {
  ContactRequest, DeliveredRequest, DocumentUploadRequest, ListDemarchesQuery, NotDeliveredRequest, ReportingCableRequest, ResponseRequest,
} from './demarches.request.dto.js';

/** The part of multer's file that the upload reads (memory storage). */
interface UploadedDocument {
  originalname: string;
  size: number;
  buffer: Buffer;
}

const uuid = new UuidPipe();
const POST = /^[A-Z]{3,24}$/;

@ApiTags('demarches')
@ApiBearerAuth()
@Controller('demarches')
@ShowsUnder('campaign')
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
    return this.demarches.list(user, query.limit, query.offset, String(request.id), { post: query.post });
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
  history(@Param('id', uuid) id: string, @Query() page: HistoryQuery, @CurrentUser() user: Principal, @Req() request: Request) {
    return this.campaigns.history(user, id, String(request.id), page);
  }

  @Get(':id/export.csv')
  @RequirePermission('exports.read')
  @ReadsRecord('cable')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOperation({ summary: 'One row per post: delivery, counterpart, position, summary, overdue (RFC 4180 CSV)' })
  async export(@Param('id', uuid) id: string, @CurrentUser() user: Principal, @Req() request: Request) {
    const { filename, csv } = await this.campaigns.exportCsv(user, id, String(request.id));
    request.res?.setHeader('Content-Disposition', contentDisposition(filename));
    return csv;
  }

  @Get(':id/deliveries/:post')
  @RequirePermission('demarches.read')
  @ReadsRecord('cable')
  @ApiOperation({ summary: 'One post’s delivery: contacts, responses with quotes and translations, documents, reporting cables, history' })
  delivery(@Param('id', uuid) id: string, @Param('post', postCodeParam) post: string, @CurrentUser() user: Principal, @Req() request: Request) {
    return this.campaigns.delivery(user, id, post, String(request.id));
  }

  @Post(':id/deliveries/:post/delivery')
  @RequirePermission('demarches.report')
  @ReadsRecord('cable')
  delivered(@Param('id', uuid) id: string, @Param('post', postCodeParam) post: string, @Body() body: DeliveredRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.record(ctx, user, id, post, { kind: 'delivered', ...body });
  }

  @Post(':id/deliveries/:post/response')
  @RequirePermission('demarches.report')
  @ReadsRecord('cable')
  response(@Param('id', uuid) id: string, @Param('post', postCodeParam) post: string, @Body() body: ResponseRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    const quotes = (body.quotes ?? []).map((q) => ({ text: q.text, ...(q.language ? { language: q.language } : {}), ...(q.translation ? { translation: q.translation } : {}) }));
    return this.record(ctx, user, id, post, { kind: 'response', ...body, quotes, reportingCableId: body.reportingCableId ?? null, corrects: body.corrects ?? null });
  }

  @Post(':id/deliveries/:post/contacts')
  @RequirePermission('demarches.report')
  @ReadsRecord('cable')
  @ApiOperation({ summary: 'Another meeting, call or note with the counterpart' })
  contact(@Param('id', uuid) id: string, @Param('post', postCodeParam) post: string, @Body() body: ContactRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.record(ctx, user, id, post, { kind: 'contact', ...body });
  }

  @Post(':id/deliveries/:post/responses/:number/reporting-cable')
  @RequirePermission('demarches.report')
  @ReadsRecord('cable')
  @ApiOperation({ summary: 'The reporting cable that reported a response, after it: a released cable from that post citing the tasking' })
  reportingCable(
    @Param('id', uuid) id: string, @Param('post', postCodeParam) post: string, @Param('number', CountingNumberPipe) response: number, @Body() body: ReportingCableRequest,
    @CurrentUser() user: Principal, @Ctx() ctx: CommandContext,
  ) {
    return this.record(ctx, user, id, post, { kind: 'reportingCable', response, reportingCableId: body.reportingCableId });
  }

  @Post(':id/deliveries/:post/documents')
  @RequirePermission('demarches.report')
  // Its address as the routes spell it: the campaign's id in lower case, the post's code in capitals, whatever the request's spelling.
  @CreatesRecordAt((document, params) => `/demarches/${params.id.toLowerCase()}/deliveries/${params.post.toUpperCase()}/documents/${String(document.id)}`)
  @ReadsRecord('cable')
  // Multer (NestJS's own) parses the form; one file of at most 10 MB, or 413. Browsers send a file's
  // name as raw UTF-8 (the HTML form rules): read as Latin-1, multer's default, 照会 came out as mojibake.
  // A form without the file (or with its part sent without a file name) is refused there: `file` is always given.
  @IdempotentUpload('file', { limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 4, parts: 6 }, defParamCharset: 'utf8' })
  @ApiConsumes('multipart/form-data')
  @TakesContent('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file', 'kind'], properties: { file: { type: 'string', format: 'binary' }, kind: { type: 'string', enum: ['NON_PAPER', 'AIDE_MEMOIRE', 'DIPLOMATIC_NOTE', 'OTHER'] } } } })
  @ApiOperation({ summary: 'A document left behind: PDF, DOCX, ODT or UTF-8 text (by its bytes), at most 10 MB' })
  async document(
    @Param('id', uuid) id: string, @Param('post', postCodeParam) post: string, @UploadedFile() file: UploadedDocument, @Body() body: DocumentUploadRequest,
    @CurrentUser() user: Principal, @Ctx() ctx: CommandContext,
  ) {
    return this.record(ctx, user, id, post, { kind: 'document', name: file.originalname, documentKind: body.kind, content: file.buffer });
  }

  @Get(':id/deliveries/:post/documents/:docId')
  @RequirePermission('demarches.read')
  @ReadsRecord('cable')
  @ApiOperation({ summary: 'A document as uploaded, byte for byte (every download is audited; a HEAD request reads none of its bytes and is audited as a read of the campaign)' })
  async download(@Param('id', uuid) id: string, @Param('post', postCodeParam) post: string, @Param('docId', uuid) docId: string, @CurrentUser() user: Principal, @Req() request: Request) {
    // Express answers HEAD with the GET route: only the headers are wanted, so no byte is read.
    const document =
      request.method === 'HEAD'
        ? { ...(await this.campaigns.documentDescription(user, id, post, docId, String(request.id))), content: Readable.from([]) }
        : await this.campaigns.document(user, id, post, docId, String(request.id));
    return new StreamableFile(document.content, {
      type: document.mediaType,
      // RFC 6266: the name as `filename`, and in `filename*` (RFC 8187, UTF-8) when it is not ASCII.
      disposition: contentDisposition(document.name),
      length: document.size,
    });
  }

  @Post(':id/deliveries/:post/not-delivered')
  @RequirePermission('demarches.report')
  @ReadsRecord('cable')
  notDelivered(@Param('id', uuid) id: string, @Param('post', postCodeParam) post: string, @Body() body: NotDeliveredRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.record(ctx, user, id, post, { kind: 'notDelivered', reason: body.reason });
  }

  private record(ctx: CommandContext, user: Principal, id: string, post: string, record: DeliveryRecord) {
    if (!POST.test(post)) throw new ChanceryError(ErrorCode.ValidationFailed, 'post must be a post code such as BEIJING', { errors: [{ field: 'post', message: 'not a post code' }] });
    return this.commands.execute(new RecordDeliveryCommand(ctx, user, id, post, record));
  }
}
