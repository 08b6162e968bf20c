import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { WholeNumberParameter } from '@chancery/http';

/** Paged lists. Each parameter has its default (the compiler plugin reads a property without `?` as required: said here). */
export class PagingQuery {
  @ApiPropertyOptional({ default: 50 })
  @IsOptional()
  @WholeNumberParameter(1, 500)
  limit: number = 50;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  // PostgreSQL's OFFSET takes a bigint, but no list here is a billion long.
  @WholeNumberParameter(0, 1_000_000_000)
  offset: number = 0;
}

/** A record's history: all of its events unless a `limit` is given (they are read whole to decide what each reader sees). */
export class HistoryQuery {
  @IsOptional()
  @WholeNumberParameter(1, 10_000)
  limit?: number;

  @IsOptional()
  @WholeNumberParameter(0, 1_000_000_000)
  offset?: number;
}
