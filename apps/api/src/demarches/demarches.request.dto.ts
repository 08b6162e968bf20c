import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { type Level, LEVELS, type Method, METHODS, type Position, POSITIONS } from '@chancery/demarches';
import { PagingQuery } from '../common/paging.request.dto.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class CounterpartDto {
  @IsString() @MinLength(1) @MaxLength(200) name: string;
  @IsString() @MinLength(1) @MaxLength(200) title: string;
  @IsString() @MinLength(1) @MaxLength(200) organization: string;
}

export class DeliveredRequest {
  @Matches(DATE, { message: 'deliveredOn must be YYYY-MM-DD' }) deliveredOn: string;
  @ValidateNested() @Type(() => CounterpartDto) counterpart: CounterpartDto;
  @IsIn(LEVELS) level: Level;
  @IsIn(METHODS) method: Method;
}

export class ResponseRequest {
  @Matches(DATE, { message: 'receivedOn must be YYYY-MM-DD' }) receivedOn: string;
  @IsIn(POSITIONS) position: Position;
  @IsString() @MaxLength(10_000) summary: string;
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(2000, { each: true }) quotes: string[] = [];
  @IsOptional() @IsUUID('4') reportingCableId?: string;
}

export class NotDeliveredRequest {
  @IsString() @MinLength(1) @MaxLength(2000) reason: string;
}

export class ListDemarchesQuery extends PagingQuery {
  @IsOptional() @IsIn(['OPEN']) status?: 'OPEN';
}
