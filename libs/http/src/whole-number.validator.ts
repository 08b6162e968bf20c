import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy, type ValidationArguments } from 'class-validator';

/**
 * A query parameter that is a whole number from `min` to `max`, written in decimal digits only:
 * `Number()` would also read `0x10`, `1e1`, `+3` and ` 7 ` as numbers. Anything else (another
 * notation, the parameter given twice) is one refusal that says what is wanted:
 * `limit must be a whole number from 1 to 500`.
 */
export function WholeNumberParameter(min: number, max: number): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value)),
    ValidateBy({
      name: 'wholeNumberFrom',
      constraints: [min, max],
      validator: {
        validate: (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max,
        defaultMessage: ({ property }: ValidationArguments) => `${property} must be a whole number from ${min} to ${max}`,
      },
    }),
  );
}

/** A query parameter that may not be given with `other` (`asOf` with `version`: which would count?). */
export function NotGivenWith(other: string): PropertyDecorator {
  return ValidateBy({
    name: 'notGivenWith',
    constraints: [other],
    validator: {
      validate: (_value: unknown, args?: ValidationArguments) => (args?.object as Record<string, unknown> | undefined)?.[other] === undefined,
      defaultMessage: ({ property }: ValidationArguments) => `give ${property} or ${other}, not both`,
    },
  });
}

/** A query parameter that means something only beside `other` (`role` says which of an `addressee`'s lists). */
export function OnlyWith(other: string, example: string): PropertyDecorator {
  return ValidateBy({
    name: 'onlyWith',
    constraints: [other],
    validator: {
      validate: (_value: unknown, args?: ValidationArguments) => (args?.object as Record<string, unknown> | undefined)?.[other] !== undefined,
      defaultMessage: ({ property }: ValidationArguments) => `${property} needs ${other} beside it (${example})`,
    },
  });
}

/** A code written in capitals (a post's, a TAG), given in a query: read in any case, as in a path. */
export function InCapitals(): PropertyDecorator {
  return Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value));
}
