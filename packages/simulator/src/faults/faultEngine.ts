import type { FaultKind, FaultRule, SimulatorEndpoint } from './faultTypes.js';
import { Rng } from '../library/random.js';
import { SimulatorError } from '../errors.js';

export interface FaultContext {
  endpoint: SimulatorEndpoint;
  barcode?: string | undefined;
  pageNumber?: number | undefined;
  list?: string | undefined;
  /** Listing request carrying `first=` or `ctoken=` (only those can have an expired cursor). */
  hasCursor: boolean;
}

/** Faults that replace the whole response. */
export type ReplacingFault =
  | { kind: 'status-429' | 'status-500' | 'status-503'; retryAfterSeconds?: number | undefined }
  | { kind: 'unavailable-page' | 'expired-cursor' };

/** How the body of a response must be mangled. */
export interface BodyFaultPlan {
  throttle?: { bytesPerSecond: number; chunkBytes: number; pauseEveryChunk: boolean };
  cut?: { kind: 'reset' | 'truncate'; afterBytes?: number | undefined };
  /** Announced Content-Length minus actual. */
  lengthDelta?: number | undefined;
  lengthDeltaDefault?: boolean;
}

export interface FaultDecision {
  applied: FaultKind[];
  latencyMs: number;
  replace?: ReplacingFault;
  body: BodyFaultPlan;
}

const KINDS: ReadonlySet<string> = new Set<FaultKind>([
  'latency', 'bandwidth', 'status-429', 'status-500', 'status-503', 'reset-mid-body', 'truncate-body',
  'wrong-content-length', 'unavailable-page', 'expired-cursor', 'slow-drip',
]);
const REPLACING: ReadonlySet<FaultKind> = new Set<FaultKind>(['status-429', 'status-500', 'status-503', 'unavailable-page', 'expired-cursor']);

interface RuleState {
  rule: FaultRule;
  matched: number;
  applied: number;
}

/** Seeded, per-endpoint fault injection; rules are evaluated in order for every request. */
export class FaultEngine {
  private rules: RuleState[] = [];
  private readonly rng: Rng;

  constructor(seed: number, rules: readonly FaultRule[] = []) {
    this.rng = new Rng(seed ^ 0x0fa17);
    this.setRules(rules);
  }

  setRules(rules: readonly FaultRule[]): void {
    for (const rule of rules) validateRule(rule);
    this.rules = rules.map((rule) => ({ rule: { ...rule }, matched: 0, applied: 0 }));
  }

  evaluate(ctx: FaultContext): FaultDecision {
    const decision: FaultDecision = { applied: [], latencyMs: 0, body: {} };
    for (const state of this.rules) {
      const { rule } = state;
      if (!matches(rule, ctx)) continue;
      if (REPLACING.has(rule.kind) && decision.replace) continue;
      state.matched++;
      if (state.matched <= (rule.skip ?? 0)) continue;
      if (rule.times !== undefined && state.applied >= rule.times) continue;
      if (rule.probability !== undefined && rule.probability < 1 && !(this.rng.float() < rule.probability)) continue;
      state.applied++;
      decision.applied.push(rule.kind);
      apply(rule, decision);
    }
    return decision;
  }
}

function matches(rule: FaultRule, ctx: FaultContext): boolean {
  if (rule.endpoint !== 'any' && rule.endpoint !== ctx.endpoint) return false;
  if (rule.kind === 'expired-cursor' && !ctx.hasCursor) return false;
  const m = rule.match;
  if (m?.barcode !== undefined && m.barcode !== ctx.barcode) return false;
  if (m?.pageNumber !== undefined && m.pageNumber !== ctx.pageNumber) return false;
  if (m?.list !== undefined && m.list !== ctx.list) return false;
  return true;
}

function apply(rule: FaultRule, decision: FaultDecision): void {
  switch (rule.kind) {
    case 'latency':
      decision.latencyMs += rule.latencyMs ?? 1000;
      return;
    case 'bandwidth':
      decision.body.throttle = { bytesPerSecond: rule.bytesPerSecond ?? 65536, chunkBytes: 16384, pauseEveryChunk: false };
      return;
    case 'slow-drip':
      decision.body.throttle = { bytesPerSecond: rule.bytesPerSecond ?? 16384, chunkBytes: rule.chunkBytes ?? 512, pauseEveryChunk: true };
      return;
    case 'reset-mid-body':
      decision.body.cut = { kind: 'reset', afterBytes: rule.afterBytes };
      return;
    case 'truncate-body':
      decision.body.cut = { kind: 'truncate', afterBytes: rule.afterBytes };
      return;
    case 'wrong-content-length':
      decision.body.lengthDelta = rule.contentLengthDelta;
      decision.body.lengthDeltaDefault = rule.contentLengthDelta === undefined;
      return;
    case 'status-429':
    case 'status-500':
    case 'status-503':
      decision.replace = { kind: rule.kind, retryAfterSeconds: rule.retryAfterSeconds };
      return;
    case 'unavailable-page':
    case 'expired-cursor':
      decision.replace = { kind: rule.kind };
      return;
  }
}

function validateRule(rule: FaultRule): void {
  if (!KINDS.has(rule.kind)) {
    throw new SimulatorError('INVALID_OPTION', `unknown fault kind ${String(rule.kind)}`, {
      hint: `use one of ${[...KINDS].join(', ')}`,
    });
  }
  for (const field of ['times', 'skip', 'probability', 'latencyMs', 'bytesPerSecond', 'chunkBytes', 'afterBytes'] as const) {
    const value = rule[field];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new SimulatorError('INVALID_OPTION', `fault ${rule.kind}: ${field} must be a number >= 0`);
    }
  }
  if (rule.bytesPerSecond === 0) throw new SimulatorError('INVALID_OPTION', `fault ${rule.kind}: bytesPerSecond must be > 0`);
}
