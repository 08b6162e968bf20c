import { ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance, Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateBy, ValidateNested } from 'class-validator';
import { InCapitals, IsCalendarDate, IsRecordId, SingleLine } from '@chancery/http';
import { DOCUMENT_KINDS, type DocumentKind, LANGUAGE_TAG_RULE, languageTag, type Level, LEVELS, type Method, METHODS, type Position, POSITIONS } from '@chancery/demarches';
import { PagingQuery } from '../common/paging.request.dto.js';

export class CounterpartDto {
  @IsString() @MinLength(1) @MaxLength(200) @SingleLine() name: string;
  @IsString() @MinLength(1) @MaxLength(200) @SingleLine() title: string;
  @IsString() @MinLength(1) @MaxLength(200) @SingleLine() organization: string;
}

export class DeliveredRequest {
  @IsCalendarDate() deliveredOn: string;
  @IsObject() @ValidateNested() @Type(() => CounterpartDto) counterpart: CounterpartDto;
  @IsIn(LEVELS) level: Level;
  @IsIn(METHODS) method: Method;
}

/** Another meeting, call or note: `{on, counterpart, level, method}`. */
export class ContactRequest {
  @IsCalendarDate() on: string;
  @IsObject() @ValidateNested() @Type(() => CounterpartDto) counterpart: CounterpartDto;
  @IsIn(LEVELS) level: Level;
  @IsIn(METHODS) method: Method;
}

/** The counterpart's words as said, their language (BCP 47, e.g. `zh`) and an English translation. */
export class QuoteDto {
  @IsString() @MinLength(1) @MaxLength(2000) text: string;
  @IsOptional() @IsString() @ValidateBy({ name: 'languageTag', validator: { validate: (tag: unknown) => typeof tag === 'string' && languageTag(tag) !== undefined, defaultMessage: () => LANGUAGE_TAG_RULE } }) language?: string;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(4000) translation?: string;
}

/** A quote may also be sent as a bare string (the words, language not given), as before quotes had languages. */
const toQuotes = ({ value }: { value: unknown }) =>
  Array.isArray(value) ? value.map((q) => plainToInstance(QuoteDto, typeof q === 'string' ? { text: q } : q)) : value;

export class ResponseRequest {
  @IsCalendarDate() receivedOn: string;
  @IsIn(POSITIONS) position: Position;
  @IsString() @MaxLength(10_000) summary: string;
  @ApiPropertyOptional({ default: [] }) @IsOptional() @IsArray() @ArrayMaxSize(50) @Transform(toQuotes) @IsObject({ each: true, message: 'each quote is an object {text, language?, translation?} or a string' }) @ValidateNested({ each: true }) quotes: QuoteDto[] = [];
  @IsOptional() @IsRecordId() reportingCableId?: string;
  /** The number of an earlier response this one corrects. */
  @IsOptional() @IsInt() @Min(1) @Max(10_000) corrects?: number;
}

export class ReportingCableRequest {
  @IsRecordId() reportingCableId: string;
}

export class DocumentUploadRequest {
  @IsIn(DOCUMENT_KINDS) kind: DocumentKind;
}

export class NotDeliveredRequest {
  @IsString() @MinLength(1) @MaxLength(2000) reason: string;
}

export class ListDemarchesQuery extends PagingQuery {
  @IsOptional() @IsIn(['OPEN']) status?: 'OPEN';
  /** Only the campaigns that task this post (a post's taskings). */
  @IsOptional() @InCapitals() @IsString() @Matches(/^[A-Z]{3,24}$/, { message: 'post must be a post code such as BEIJING' }) post?: string;
}
