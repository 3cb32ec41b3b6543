// A template or its parameters are invalid: ARM's 400 `InvalidTemplate` (or a failed deployment).

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly code = 'InvalidTemplate',
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}
