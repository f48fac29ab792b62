/**
 * A progress trace as the ETA benchmark replays it, and as `--traces FILE`
 * reads it: `[{"name","total","initial","events":[[t_seconds, completed], ...]}]`.
 * Time 0 is the start of the session; `completed` is cumulative and includes
 * `initial` (work done before the session). The run ends at the last event.
 */
export interface BenchTrace {
  readonly name: string;
  readonly total: number;
  readonly initial: number;
  readonly events: ReadonlyArray<readonly [number, number]>;
}

/** Validates parsed JSON as a list of traces. */
export function parseBenchTraces(value: unknown): BenchTrace[] {
  if (!Array.isArray(value)) throw new Error('traces JSON must be an array');
  return value.map((raw: unknown, i) => {
    if (typeof raw !== 'object' || raw === null) throw new Error(`trace ${i} is not an object`);
    const t = raw as Record<string, unknown>;
    const events = t['events'];
    if (typeof t['name'] !== 'string' || typeof t['total'] !== 'number' || !Array.isArray(events)) {
      throw new Error(`trace ${i} needs "name" (string), "total" (number) and "events" (array)`);
    }
    const parsed = events.map((e: unknown, j): readonly [number, number] => {
      if (!Array.isArray(e) || typeof e[0] !== 'number' || typeof e[1] !== 'number') {
        throw new Error(`trace ${t['name']}: event ${j} must be [t_seconds, completed]`);
      }
      return [e[0], e[1]];
    });
    return { name: t['name'], total: t['total'], initial: typeof t['initial'] === 'number' ? t['initial'] : 0, events: parsed };
  });
}
