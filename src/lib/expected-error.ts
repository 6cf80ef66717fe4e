/**
 * ExpectedError is an error a client caused and may read: bad input, a missing object, a
 * conflict. It carries a stable `code` (GraphQL `extensions.code`) and optional `details`
 * (for example the `field` at fault). Every other error is unexpected and reaches clients masked.
 */
export class ExpectedError extends Error {
  override name = 'ExpectedError';
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** FieldProblem is one invalid input field and what is wrong with it. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * InputError is bad input (`BAD_USER_INPUT`). Its message names the first field at fault;
 * `details.field` is that field and `details.fields` lists every problem found.
 */
export class InputError extends ExpectedError {
  override name = 'InputError';
  constructor(readonly problems: FieldProblem[]) {
    const [first] = problems;
    if (!first) throw new RangeError('InputError needs at least one problem');
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more invalid fields)` : '';
    super('BAD_USER_INPUT', `${first.field}: ${first.message}${more}`, {
      field: first.field,
      fields: problems,
    });
  }
}

/** NotFoundError is a reference to an object that does not exist (`code` names the kind). */
export class NotFoundError extends ExpectedError {
  override name = 'NotFoundError';
}
