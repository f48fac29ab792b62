import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on the module `name` (without extension) that sits beside `base`, the
 * caller's `import.meta.url`. From compiled JavaScript the `.js` entry is loaded directly. From
 * TypeScript sources (tsx, vitest) the worker registers tsx itself first: on Node 20 a
 * `--import tsx` in the worker's execArgv does not apply to the worker's entry module.
 */
export function startModuleWorker(base: string, name: string, options: WorkerOptions = {}): Worker {
  if (!base.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, base), options);
  const entry = new URL(`./${name}.ts`, base).href;
  const tsxApi = createRequire(base).resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs');
  const bootstrap =
    `import(${JSON.stringify(pathToFileURL(tsxApi).href)})` +
    `.then((api) => { api.register(); return import(${JSON.stringify(entry)}); })` +
    '.catch((error) => { process.nextTick(() => { throw error; }); });';
  return new Worker(bootstrap, { ...options, eval: true });
}
