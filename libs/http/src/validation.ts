import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ChanceryError, ErrorCode, type FieldError } from '@chancery/common';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Validates DTOs, refuses unknown fields, and reports every problem with the field it concerns. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
