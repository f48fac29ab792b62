/** Local time as ISO without zone, `YYYY-MM-DDTHH:MM:SS` (reference 6.5 `acquisition_date`). */
export function localIsoTimestamp(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}`;
}
