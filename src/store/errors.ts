// Error plumbing shared by both stores: turning driver errors into UniqueViolation, and deciding which
// failures make PostgreSQL's tx() run the whole function again.
import { UniqueViolation } from './types.js';
import { sqliteConstraintName } from './constraints.js';

/**
 * Thrown inside a transaction when it lost a race that only a fresh snapshot can resolve (today: two address
 * allocations picked the same number). PostgreSQL's tx() retries on it; it never escapes a successful retry.
 */
export class RetryTransaction extends Error {
  constructor(reason: string) {
    super(`transaction must be retried: ${reason}`);
    this.name = 'RetryTransaction';
  }
}

interface DriverError { code?: unknown; constraint?: unknown; table?: unknown; message?: unknown }

function fields(e: unknown): DriverError {
  return typeof e === 'object' && e !== null ? (e as DriverError) : {};
}

/** The UniqueViolation this driver error stands for, or undefined when it is something else. */
export function asUniqueViolation(e: unknown): UniqueViolation | undefined {
  if (e instanceof UniqueViolation) return e;
  const { code, constraint, table, message } = fields(e);
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new UniqueViolation(sqliteConstraintName(String(message)));
  }
  if (code === '23505') {
    return new UniqueViolation(typeof constraint === 'string' ? constraint : String(table ?? 'unknown'));
  }
  return undefined;
}

/** 40001 serialization_failure, 40P01 deadlock_detected, or our own RetryTransaction. */
export function isRetryable(e: unknown): boolean {
  if (e instanceof RetryTransaction) return true;
  const { code } = fields(e);
  return code === '40001' || code === '40P01';
}
