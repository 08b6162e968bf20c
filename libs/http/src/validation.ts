import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ChanceryError, ErrorCode, type FieldError } from '@chancery/common';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * A named path or query parameter is left as the text it came as: Nest would otherwise turn one
 * typed `number` into `+value` first (`1e3` into 1000, `0x10` into 16, `` into 0), before the
 * parameter's own pipe (`CountingNumberPipe`) could say that it is not a whole number.
 */
class TextParametersValidationPipe extends ValidationPipe {
  protected override transformPrimitive(value: unknown): unknown {
    return value;
  }
}

/** Validates DTOs, refuses unknown fields, and reports every problem with the field it concerns. */
export function createValidationPipe(): ValidationPipe {
  return new TextParametersValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => {
      const fieldErrors = flatten(errors);
      return new ChanceryError(ErrorCode.ValidationFailed, fieldErrors.map((e) => e.message).join('; ') || 'Invalid request', {
        errors: fieldErrors,
      });
    },
  });
}
