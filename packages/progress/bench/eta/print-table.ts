/**
 * Prints the error table (one row per trace, one column per estimator), the
 * geometric mean row and the ratio of `ours` to `baseline`, and returns
 * whether the goal holds: ours <= 0.5 x baseline geomean and ours <=
 * baseline on every trace.
 */
export function printTable(names: string[], rows: { trace: string; errors: number[] }[], baseline: string, ours: string): boolean {
  const b = names.indexOf(baseline);
  const o = names.indexOf(ours);
  const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'too short');
  // A trace shorter than the metric's window (the second half minus the last 10 s) has no score.
  const scored = rows.filter((r) => r.errors.every(Number.isFinite));
  const skipped = rows.filter((r) => !r.errors.every(Number.isFinite));
  const header = ['trace', ...names, `${ours}/${baseline}`];
  const body = rows.map((row) => {
    const ratio = (row.errors[o] ?? NaN) / (row.errors[b] ?? NaN);
    return [row.trace, ...row.errors.map(pct), Number.isFinite(ratio) ? ratio.toFixed(2) : '-'];
  });
  const geo = names.map((_, i) => geomean(scored.map((r) => r.errors[i] ?? NaN)));
  const geoRatio = (geo[o] ?? NaN) / (geo[b] ?? NaN);
  body.push(['geomean', ...geo.map(pct), Number.isFinite(geoRatio) ? geoRatio.toFixed(2) : '-']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  console.log('');
  console.log('Mean relative ETA error (second half of each run, 1 Hz; lower is better)');
  console.log('');
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of body) console.log(line(row));
  if (skipped.length > 0) console.log(`\nnot scored (too short for the metric window): ${skipped.map((r) => r.trace).join(', ')}`);
  const worse = scored.filter((r) => (r.errors[o] ?? NaN) > (r.errors[b] ?? NaN));
  const okGeo = geoRatio <= 0.5;
  console.log('');
  console.log(`${ours} / ${baseline} geomean ratio: ${Number.isFinite(geoRatio) ? geoRatio.toFixed(3) : 'n/a'} (goal <= 0.5: ${okGeo ? 'met' : 'NOT met'})`);
  console.log(`traces where ${ours} is worse than ${baseline}: ${worse.length === 0 ? 'none' : worse.map((r) => r.trace).join(', ')}`);
  return okGeo && worse.length === 0;
}

function geomean(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  // An error of exactly 0 would zero the product; floor at 1e-6.
  const logs = values.map((v) => Math.log(Math.max(v, 1e-6)));
  return Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length);
}
