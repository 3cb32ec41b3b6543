// The error ARM answers with: an HTTP status and the `{ error: { code, message } }` body.

export interface ArmErrorBody {
  code: string;
  message: string;
  target?: string;
  details?: ArmErrorBody[];
}

/** Thrown by a route handler; the server turns it into ARM's error response. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ArmErrorBody[],
    readonly target?: string,
  ) {
    super(message);
    this.name = 'ArmError';
  }

  toBody(): { error: ArmErrorBody } {
    const error: ArmErrorBody = { code: this.code, message: this.message };
    if (this.target) error.target = this.target;
    if (this.details) error.details = this.details;
    return { error };
  }

  /** ARM's 404 for a resource, worded as ARM words it. */
  static notFound(type: string, name: string, resourceGroup: string): ArmError {
    return new ArmError(
      404,
      'ResourceNotFound',
      `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. ` +
        'For more details please go to https://aka.ms/ARMResourceNotFoundFix',
    );
  }

  static badRequest(code: string, message: string, target?: string): ArmError {
    return new ArmError(400, code, message, undefined, target);
  }
}
