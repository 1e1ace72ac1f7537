// What nodes tell each other through PostgreSQL (issue 13): the channel names and message shapes. Apart from
// bus.ts (the LISTEN connection, which loads pg) so that a node on SQLite never loads the PostgreSQL driver.
export const CHANGE_CHANNEL = 'localrds_change';
export const APPLIED_CHANNEL = 'localrds_applied';

/** A change the owner must apply: the instance reached this generation. */
export interface ChangeMessage { schema: string; instanceId: string; generation: number; owner: string; restart?: boolean }
/** The owner applied the instance up to this generation (listeners, sessions and server match the store). */
export interface AppliedMessage { schema: string; instanceId: string; generation: number; node: string }
