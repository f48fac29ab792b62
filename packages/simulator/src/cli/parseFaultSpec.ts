import { SimulatorError } from '../errors.js';
import type { FaultRule } from '../faults/faultTypes.js';

const NUMERIC = new Set(['times', 'probability', 'skip', 'retryAfterSeconds', 'latencyMs', 'bytesPerSecond', 'chunkBytes', 'afterBytes', 'contentLengthDelta']);

/**
 * `--fault` values: a JSON FaultRule, or `endpoint:kind[:key=value,...]`, e.g.
 * `listing:status-503:times=2,retryAfterSeconds=1` or `archive-get:reset-mid-body:barcode=32044...`.
 */
export function parseFaultSpec(spec: string): FaultRule {
  if (spec.trim().startsWith('{')) {
    try {
      return JSON.parse(spec) as FaultRule;
    } catch (err) {
      throw new SimulatorError('INVALID_OPTION', `--fault: invalid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  const [endpoint, kind, params] = splitSpec(spec);
  if (!endpoint || !kind) {
    throw new SimulatorError('INVALID_OPTION', `--fault ${spec}: expected endpoint:kind[:key=value,...]`, {
      hint: 'e.g. --fault listing:status-503:times=2,retryAfterSeconds=1',
    });
  }
  const rule: Record<string, unknown> = { endpoint, kind };
  const match: Record<string, unknown> = {};
  for (const pair of (params ?? '').split(',').filter((p) => p !== '')) {
    const eq = pair.indexOf('=');
    if (eq < 0) throw new SimulatorError('INVALID_OPTION', `--fault ${spec}: ${pair} is not key=value`);
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (key === 'barcode' || key === 'list') match[key] = value;
    else if (key === 'pageNumber') match[key] = Number(value);
    else if (NUMERIC.has(key)) rule[key] = Number(value);
    else throw new SimulatorError('INVALID_OPTION', `--fault ${spec}: unknown key ${key}`);
  }
  if (Object.keys(match).length > 0) rule['match'] = match;
  return rule as unknown as FaultRule;
}

function splitSpec(spec: string): [string, string, string | undefined] {
  const first = spec.indexOf(':');
  if (first < 0) return [spec, '', undefined];
  const second = spec.indexOf(':', first + 1);
  if (second < 0) return [spec.slice(0, first), spec.slice(first + 1), undefined];
  return [spec.slice(0, first), spec.slice(first + 1, second), spec.slice(second + 1)];
}
