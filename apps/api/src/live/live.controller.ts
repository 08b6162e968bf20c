import { type CanActivate, Controller, type ExecutionContext, HttpCode, Injectable, type MessageEvent, Post, Req, Sse, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Observable, type Subject } from 'rxjs';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { ChangesNoVersionedRecord, IgnoresIdempotencyKey, ReadsQuery } from '@chancery/http';
import { type AuthenticatedPrincipal, AuthService, type Principal, UsersQuery } from '@chancery/identity';
import { CurrentUser, Public } from '../auth/access.decorators.js';
import { LiveFeed } from './live-feed.js';
import { LiveTickets } from './live-tickets.js';

declare module 'express-serve-static-core' {
  interface Request {
    live?: { principal: Principal; tokenGeneration: number; endsAt: Date | null };
  }
}

/** Streams one user may hold open in one process: a tab each, and room to spare; more is a client gone wrong. */
export const MAX_STREAMS_PER_USER = 10;
/**
 * What may wait unsent for a stream, in characters of its notices, before its client counts as not
 * reading and is dropped (it reconnects, and reads its screens again, when it wakes up): every
 * notice is kept for every stream until its socket takes it, so one that never does would grow
 * until the process dies. NestJS counts and drops (`@Sse`'s `maxPendingDataLength`): what waits
 * past the response's own buffer, which its pipe keeps at 16 KB whatever the client does, so the
 * response's `writableLength` never tells.
 */
export const MAX_UNSENT_CHARACTERS = 256 * 1024;

/** Authenticates an event stream: `?ticket=` (one use, from POST /events/ticket) or a bearer token. */
@Injectable()
export class LiveStreamGuard implements CanActivate {
  constructor(
    private readonly tickets: LiveTickets,
    private readonly auth: AuthService,
    private readonly users: UsersQuery,
    private readonly feed: LiveFeed,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const ticket = request.query.ticket;
    let live: { principal: Principal; tokenGeneration: number; endsAt: Date | null };
    if (typeof ticket === 'string' && ticket !== '') live = await this.tickets.redeem(ticket);
    else if (ticket !== undefined) throw new ChanceryError(ErrorCode.Unauthenticated, 'The ticket is not valid: ask for one at POST /events/ticket');
    else {
      const [scheme, token] = (request.headers.authorization ?? '').split(' ');
      if (scheme?.toLowerCase() !== 'bearer' || !token) throw new ChanceryError(ErrorCode.Unauthenticated, 'The event stream needs a ticket (POST /events/ticket, then ?ticket=) or a bearer token');
      const { sessionEndsAt, ...principal } = await this.auth.authenticate(token);
      const standing = await this.users.standing(principal.id);
      live = { principal, tokenGeneration: standing?.tokenGeneration ?? -1, endsAt: sessionEndsAt };
    }
    if (this.feed.openBy(live.principal.id) >= MAX_STREAMS_PER_USER) {
      throw new ChanceryError(ErrorCode.RateLimited, `At most ${MAX_STREAMS_PER_USER} event streams a user at once: close one first`, { retryAfter: 5 });
    }
    request.live = live;
    request.actor = { id: live.principal.id, username: live.principal.username, role: live.principal.roles.join('+') };
    return true;
  }
}

@ApiTags('live')
@Controller('events')
export class LiveController {
  constructor(
    private readonly feed: LiveFeed,
    private readonly tickets: LiveTickets,
  ) {}

  @Post('ticket')
  @HttpCode(201)
  @IgnoresIdempotencyKey()
  @ChangesNoVersionedRecord()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'A one-use ticket (30 s) that opens GET /events/stream, for clients such as EventSource that cannot send an Authorization header' })
  ticket(@CurrentUser() user: AuthenticatedPrincipal) {
    return this.tickets.issue(user, user.sessionEndsAt);
  }

  /**
   * Public to the global guard only because EventSource cannot send a header: `LiveStreamGuard`
   * authenticates it, with a ticket or, for other clients, a bearer token (401 otherwise), before
   * anything is sent (an SSE answer's headers go out at once).
   */
  @Public()
  @UseGuards(LiveStreamGuard)
  @ReadsQuery('ticket')
  @Sse('stream', { maxPendingDataLength: MAX_UNSENT_CHARACTERS })
  @ApiBearerAuth()
  @ApiQuery({ name: 'ticket', required: false, description: 'from POST /events/ticket; or send Authorization: Bearer' })
  @ApiOperation({ summary: 'Server-Sent Events: a `change` notice ({eventType, streamType, id, version, record}) for each event about a record the caller may read now; a `ready` event when open; a heartbeat comment every 20 s' })
  stream(@Req() request: Request): Observable<MessageEvent> {
    const { principal, tokenGeneration, endsAt } = request.live!;
    return new Observable<MessageEvent>((subscriber) => {
      let events: Subject<MessageEvent> | undefined;
      let gone = false;
      // Subscribed when Nest subscribes, so that a client gone before then leaves nothing behind;
      // `ready` once notices flow: nothing after it is missed. The web app reads its screens after
      // it (and again at a reconnection's).
      this.feed.subscribe(principal, tokenGeneration, endsAt).then(
        (subject) => {
          if (gone) return this.feed.unsubscribe(subject);
          events = subject;
          subscriber.next({ type: 'ready', data: { user: principal.username } });
          // A client that stops reading is dropped by NestJS (MAX_UNSENT_CHARACTERS), which tears
          // this down: the feed forgets the stream below.
          subject.subscribe(subscriber);
        },
        (error: unknown) => subscriber.error(error),
      );
      return () => {
        gone = true;
        if (events) this.feed.unsubscribe(events);
      };
    });
  }
}
