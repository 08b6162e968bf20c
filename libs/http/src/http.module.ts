import { Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { ETagInterceptor } from './etag.interceptor.js';
import { LocationInterceptor } from './location.interceptor.js';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor.js';
import { IdempotencyStore } from './idempotency/idempotency.store.js';
import { RequestBodyInterceptor } from './request-body.interceptor.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';

/**
 * The HTTP conventions every route shares. A body sent to a route that takes none is refused first;
 * ETag and Location run outside idempotency, so replays carry them too.
 */
@Module({
  providers: [
    IdempotencyStore,
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    { provide: APP_INTERCEPTOR, useClass: RequestBodyInterceptor },
    { provide: APP_INTERCEPTOR, useClass: ETagInterceptor },
    { provide: APP_INTERCEPTOR, useClass: LocationInterceptor },
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
  ],
  exports: [IdempotencyStore],
})
export class HttpConventionsModule {}
