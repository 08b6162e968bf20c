import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { map, Observable } from 'rxjs';

const LOCATION_OF = 'chancery:location-of';

/** Where a created record is read, from the answer that created it and the request's route parameters. */
type LocationOf = (answer: Record<string, unknown>, params: Record<string, string>) => string;

/**
 * Marks a route that creates a record: its `201` carries `Location`, the record's own address (RFC
 * 9110 §15.3.2; without it, a `201` names the request's own address as the thing created).
 */
export const CreatesRecordAt = (location: LocationOf): MethodDecorator => SetMetadata(LOCATION_OF, location);

/** Sets `Location` on a `201` of a `CreatesRecordAt` route; outside idempotency, so that a replay carries it too. */
@Injectable()
export class LocationInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const location = this.reflector.get<LocationOf | undefined>(LOCATION_OF, context.getHandler());
    if (!location) return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      map((body) => {
        if (response.statusCode === 201 && body && typeof body === 'object' && !response.headersSent) {
          response.setHeader('Location', location(body as Record<string, unknown>, request.params as Record<string, string>));
        }
        return body;
      }),
    );
  }
}
