/**
 * An error answer chosen by a provider handler. The provider's `errorBody` turns `message` into the body
 * shape that provider documents; `body` overrides that when a handler needs an exact documented body.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly options: { body?: unknown; headers?: Record<string, string>; code?: string } = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (message: string, code?: string) => new HttpError(404, message, code ? { code } : {});
export const conflict = (message: string, code?: string) => new HttpError(409, message, code ? { code } : {});
export const badRequest = (message: string, code?: string) => new HttpError(400, message, code ? { code } : {});
