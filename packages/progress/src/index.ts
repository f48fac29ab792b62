export { formatDuration, formatDurationCoarse } from './format/format-duration.js';
export { formatCount, formatPercent } from './format/format-count.js';
export { formatBytes } from './format/format-bytes.js';
export { formatRate, formatByteRate } from './format/format-rate.js';
export { ITEM_UNIT, pluralForm, pluralize, toUnit, unitLabel, type Unit, type UnitInput } from './format/unit.js';
export { computeEta, DEFAULT_MAX_ETA_SECONDS, etaSeconds, formatEta, type Eta, type EtaInput } from './eta/eta.js';
export type { RateEstimator } from './rate/rate-estimator.js';
export { SlidingWindowRateCalculator, type SlidingWindowOptions } from './rate/sliding-window-rate-calculator.js';
export { AdaptiveRateEstimator, type AdaptiveRateOptions } from './rate/adaptive-rate-estimator.js';
export { StallDetector, type StallDetectorOptions } from './rate/stall-detector.js';
export {
  extraEntries, formatProgressLine, progressLineParts, type ExtraInput, type LinePart, type ProgressLineInput,
} from './lines/progress-line.js';
export { formatQueueProgressLine, queueExtras } from './lines/queue-progress-line.js';
export { formatSummary } from './lines/summary-line.js';
export { sanitizeLine } from './lines/sanitize.js';
export { createReporter } from './reporter/create-reporter.js';
export { colorAllowed, isCI, selectMode } from './reporter/select-mode.js';
export type {
  FinishOptions, FinishStatus, ProcessLike, ProgressReporter, ProgressSnapshot, ProgressStream, ProgressSummary,
  QueueState, ReporterMode, ReporterOptions, ResolvedMode, TimerApi,
} from './reporter/types.js';
export { JSON_SCHEMA } from './render/json-renderer.js';
export { ANSI, stripAnsi, visibleWidth } from './render/terminal-text.js';
export { TraceRecorder, type TraceRecorderOptions } from './trace/trace-recorder.js';
export {
  convertTraceRecording, looksLikeTraceRecording, TRACE_FORMAT_VERSION, type ReplayTrace, type TraceHeader,
} from './trace/trace-recording.js';
export { ProgressError, type ProgressErrorCode } from './progress-error.js';
