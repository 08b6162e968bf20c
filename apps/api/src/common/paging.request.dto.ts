import { IsOptional } from 'class-validator';
import { WholeNumberParameter } from '@chancery/http';

export class PagingQuery {
  @IsOptional()
  @WholeNumberParameter(1, 500)
  limit: number = 50;

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
