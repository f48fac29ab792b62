const PAD2: string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

const MINUTES_OF_DAY: string[] = Array.from({ length: 1440 }, (_, m) => ` ${PAD2[Math.floor(m / 60)]}:${PAD2[m % 60]}`);
/** 'YYYY/MM/DD' per day since the epoch, filled on demand (listing pages format millions of dates). */
const DAY_CACHE: (string | undefined)[] = new Array<string | undefined>(40_000).fill(undefined);
const DAY_CACHE_LIMIT = 40_000; // up to the 2080s

function formatDay(days: number): string {
  // civil_from_days (H. Hinnant)
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${year}/${PAD2[m]}/${PAD2[d]}`;
}

/** Minutes since the Unix epoch (UTC) -> GRIN's `YYYY/MM/DD HH:MM`, without Date objects (hot path). */
export function formatGrinMinutes(totalMinutes: number): string {
  const days = Math.floor(totalMinutes / 1440);
  const minuteOfDay = totalMinutes - days * 1440;
  let day: string | undefined;
  if (days >= 0 && days < DAY_CACHE_LIMIT) {
    day = DAY_CACHE[days];
    if (day === undefined) DAY_CACHE[days] = day = formatDay(days);
  } else {
    day = formatDay(days);
  }
  return day + (MINUTES_OF_DAY[minuteOfDay] as string);
}

/** Epoch ms -> GRIN date (UTC). */
export function formatGrinDate(epochMs: number): string {
  return formatGrinMinutes(Math.floor(epochMs / 60000));
}

/** GRIN date -> epoch ms (UTC), or undefined when it does not parse. */
export function parseGrinDate(value: string): number | undefined {
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2})$/.exec(value);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
}
