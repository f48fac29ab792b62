export { ExitCode, type ExitCodeValue } from './exit-codes.js';
export { UsageError } from './usage-error.js';
export { describeError, isExpectedError, type ExpectedError } from './describe-error.js';
export { runCli, type RunCliOptions } from './run-cli.js';
export { userWorkingDirectory, resolveUserPath, validateRunName, defaultRunName, runDirectory } from './run-paths.js';
export { syncDirectory, tempPathBeside, writeFileAtomic, writeFileAtomicWith, writeJsonAtomic } from './atomic-file.js';
export { createShutdown, type Shutdown, type ShutdownOptions, type SignalSource } from './shutdown.js';
