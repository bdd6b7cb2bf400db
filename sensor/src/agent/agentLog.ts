/**
 * The agent's log: one JSON object per line on stderr (journald keeps it; `jq` reads it), no
 * library. Repeated identical events within `quietMs` are counted and summarised, not repeated,
 * so a server down for an hour does not fill the disk.
 */
export type LogLevel = 'info' | 'warn' | 'error';

export type AgentLog = (level: LogLevel, event: string, fields?: Record<string, unknown>) => void;

export function agentLog(out: { write(text: string): unknown }, options: { quietMs?: number; now?: () => number } = {}): AgentLog {
  const quietMs = options.quietMs ?? 30_000;
  const now = options.now ?? Date.now;
  const last = new Map<string, { at: number; suppressed: number }>();
  return (level, event, fields = {}) => {
    const t = now();
    const key = `${level}:${event}`;
    const seen = last.get(key);
    if (level !== 'info' && seen !== undefined && t - seen.at < quietMs) {
      seen.suppressed++;
      return;
    }
    const repeated = seen?.suppressed ?? 0;
    last.set(key, { at: t, suppressed: 0 });
    const line: Record<string, unknown> = { time: new Date(t).toISOString(), level, event, ...fields };
    if (repeated > 0) line.repeatedSinceLast = repeated;
    out.write(`${JSON.stringify(line)}\n`);
  };
}
