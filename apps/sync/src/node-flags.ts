/**
 * Node/V8 flags the sync process is started with (the root `sync` and `demo` scripts, the
 * package's `cli` script, the benchmark's phases; a test keeps the scripts in step with this list).
 *
 * `--initial-old-space-size=128`: the process keeps ~20 MB of live objects in V8's old generation
 * while gunzip buffers and stream objects churn through the young one. With V8's default limit
 * the old generation's headroom stays below one young-generation capacity, so V8 starts a full
 * (incremental) collection every ~50 ms: measured ~100 full collections per GB synced with
 * extraction on, ~2.5 CPU s/GB of GC across its threads. A 128 MB floor for the limit brings that
 * to 0–3 per GB for ~35 MB more peak RSS (`pnpm --filter @grin/sync bench`; see BENCHMARKS.md).
 */
export const SYNC_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=128'];
