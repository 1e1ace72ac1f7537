// The socket counters of DataPlane.stats() without the byte totals, for leak checks that compare exact counts.
import type { DataPlaneStats } from '../../src/dataplane/types.js';

export function socketCounts(s: DataPlaneStats): Pick<DataPlaneStats, 'listeners' | 'sessions' | 'backendSockets'> {
  return { listeners: s.listeners, sessions: s.sessions, backendSockets: s.backendSockets };
}
