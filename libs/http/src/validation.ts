import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ChanceryError, ErrorCode, type FieldError } from '@chancery/common';

/**
 * Each problem with the field it concerns, said once and plainly: a field sent as `null` that must
 * have a value is told so (not its length and type rules), and class-validator's own "an unknown
 * value was passed to the validate function" (an object where a list or value was expected) is
 * said as the field's shape, beside the field's other rules or alone.
 */
function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const constraints = error.constraints ?? {};
    if (error.value === null && Object.keys(constraints).length > 0) return [{ field, message: `${error.property} cannot be null: it needs a value` }];
    const { unknownValue, ...rules } = constraints;
    const messages = Object.values(rules);
    // The value itself was refused (its children are its members, not named): said as its shape, once.
    const children = (error.children ?? []).filter((child) => child.property !== undefined);
    if (messages.length === 0 && (unknownValue !== undefined || children.length < (error.children ?? []).length)) messages.push(`${error.property} is not of the shape this field takes`);
    return [...messages.map((message) => ({ field, message })), ...flatten(children, field)];
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
