import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsObject, IsOptional, IsString, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { ChanceryError } from '@chancery/common';
import { createValidationPipe, MAX_FIELD_ERRORS } from './validation.js';

class Point {
  @IsString() @MinLength(1) @MaxLength(20) text!: string;
}

class Body {
  @IsString() @MinLength(1) @MaxLength(2000) reason!: string;
  @IsOptional() @IsArray() @ArrayMaxSize(3) @IsInt({ each: true }) @Min(1, { each: true }) points?: number[];
  @IsOptional() @ValidateNested() @Type(() => Point) point?: Point;
  @IsOptional() @IsArray() @ArrayMaxSize(3) @IsObject({ each: true }) @ValidateNested({ each: true }) @Type(() => Point) paragraphs?: Point[];
  @IsOptional() @IsObject() @ValidateNested() @Type(() => Point) box?: Point;
}

async function refusal(body: unknown) {
  try {
    await createValidationPipe().transform(body, { type: 'body', metatype: Body });
  } catch (error) {
    return error as ChanceryError;
  }
  throw new Error('not refused');
}

async function errorsFor(body: unknown) {
  try {
    await createValidationPipe().transform(body, { type: 'body', metatype: Body });
  } catch (error) {
    return (error as ChanceryError).details?.errors;
  }
  return [];
}

describe('validation errors, each said once in the field’s words', () => {
  it('says a field that was left out is missing, not its length and type rules', async () => {
    expect(await errorsFor({})).toEqual([{ field: 'reason', message: 'reason is missing: it needs a value' }]);
    expect(await errorsFor({ reason: 'ok', point: {} })).toEqual([{ field: 'point.text', message: 'text is missing: it needs a value' }]);
  });

  it('says a field sent as null needs a value', async () => {
    expect(await errorsFor({ reason: null })).toEqual([{ field: 'reason', message: 'reason cannot be null: it needs a value' }]);
  });

  it('says a value of the wrong type is not of its type, not the rules it would meet as the right one', async () => {
    expect(await errorsFor({ reason: 123 })).toEqual([{ field: 'reason', message: 'reason must be a string' }]);
    expect(await errorsFor({ reason: 'ok', points: 'L' })).toEqual([{ field: 'points', message: 'points must be an array' }]);
    expect(await errorsFor({ reason: 'ok', points: ['a'] })).toEqual([{ field: 'points', message: 'each value in points must be an integer number' }]);
  });

  it('says every rule a value of the right type breaks', async () => {
    expect(await errorsFor({ reason: '' })).toEqual([{ field: 'reason', message: 'reason must be longer than or equal to 1 characters' }]);
    expect(await errorsFor({ reason: 'ok', points: [0, 1, 2, 3] })).toEqual([
      { field: 'points', message: 'each value in points must not be less than 1' },
      { field: 'points', message: 'points must contain no more than 3 elements' },
    ]);
  });

  it('says a list or an object of the wrong shape is not of its shape, once, not what each member is not', async () => {
    expect(await errorsFor({ reason: 'ok', paragraphs: 'abc' })).toEqual([{ field: 'paragraphs', message: 'paragraphs must be an array' }]);
    expect(await errorsFor({ reason: 'ok', paragraphs: { a: 1 } })).toEqual([{ field: 'paragraphs', message: 'paragraphs must be an array' }]);
    expect(await errorsFor({ reason: 'ok', paragraphs: ['abc', 'def'] })).toEqual([{ field: 'paragraphs', message: 'each value in paragraphs must be an object' }]);
    expect(await errorsFor({ reason: 'ok', box: ['x'] })).toEqual([{ field: 'box', message: 'box must be an object' }]);
    // Of the right shape, each member's problems are said with the member.
    expect(await errorsFor({ reason: 'ok', paragraphs: [{ text: 'fine' }, {}] })).toEqual([{ field: 'paragraphs.1.text', message: 'text is missing: it needs a value' }]);
  });

  it('lists at most MAX_FIELD_ERRORS problems, and counts the rest', async () => {
    const unknown = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 1]));
    const refused = await refusal({ reason: 'ok', ...unknown });
    expect(refused.details.errors).toHaveLength(MAX_FIELD_ERRORS);
    expect(refused.details.moreErrors).toBe(200 - MAX_FIELD_ERRORS);
    // The detail says the first ones while they fit, then counts the others; it is never cut before the count.
    expect(refused.message).toMatch(/^property k0 should not exist; .*; and \d+ more problems$/);
    expect(refused.message.length).toBeLessThan(500);
    expect(Number(/and (\d+) more/.exec(refused.message)![1]) + refused.message.split('; ').length - 1).toBe(200);
    expect(await refusal({ reason: 'ok', ...Object.fromEntries(Object.entries(unknown).slice(0, 3)) }).then((r) => r.details.moreErrors)).toBeUndefined();
  });
});
