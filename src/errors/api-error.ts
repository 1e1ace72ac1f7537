// The one error type the pipeline understands. Anything else thrown becomes InternalError.
import { ERROR_CODES, type ErrorCode } from './codes.js';

export class ApiError extends Error {
  readonly status: number;
  constructor(readonly code: ErrorCode, readonly params: Record<string, string> = {}, readonly headers: Record<string, string> = {}) {
    super(renderMessage(code, params));
    this.name = 'ApiError';
    this.status = ERROR_CODES[code].status;
  }
}

export function renderMessage(code: ErrorCode, params: Record<string, string>): string {
  return ERROR_CODES[code].message
    .replace(/\{(\w+)\}/g, (_, k: string) => params[k] ?? '')
    .trim();
}

export const missing = (name: string) => new ApiError('MissingParameter', { name });
export const invalid = (name: string, detail = '') => new ApiError('InvalidParameter', { name, detail });
