/**
 * n8n settings tried for their CPU cost per message (names checked in n8n 2.40.7's
 * @n8n/config: expression-engine.config.js, runners.config.js, executions, logging). Every instance the bench starts
 * gets BENCH_ENV first: n8n's own defaults, where the e2e suite deviates from them.
 */

/** The e2e suite logs at debug (test/e2e/lib/n8n.ts); a user's n8n logs at info. */
export const BENCH_ENV: Record<string, string> = { N8N_LOG_LEVEL: 'info' };

const NO_EXECUTION_DATA = {
	EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none',
	EXECUTIONS_DATA_SAVE_ON_PROGRESS: 'false',
	EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'false',
};

export const SETTINGS: Record<string, { env: Record<string, string>; why: string }> = {
	defaults: { env: {}, why: "n8n 2.40.7's defaults (expression engine vm = isolated-vm, data of every execution saved)" },
	'log-debug': { env: { N8N_LOG_LEVEL: 'debug' }, why: 'what the e2e suite runs with' },
	'no-execution-data': { env: NO_EXECUTION_DATA, why: 'successful executions not saved, no progress saving' },
	// The default "vm" engine hands each execution a fresh isolated-vm isolate and disposes it after.
	'engine-legacy': { env: { N8N_EXPRESSION_ENGINE: 'legacy' }, why: 'expressions in-process (deprecated: not isolated)' },
	'engine-quickjs': { env: { N8N_EXPRESSION_ENGINE: 'quickjs' }, why: 'expressions in QuickJS (WebAssembly) instead of isolated-vm' },
	'isolate-pool-4': { env: { N8N_EXPRESSION_ENGINE_POOL_SIZE: '4' }, why: '4 warm isolates instead of 1' },
	// Lazy: an isolate only once an expression reaches the engine (not for the webhook phase, nor credentials).
	'isolate-lazy': { env: { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' }, why: 'vm engine, isolate created on first use only' },
	'isolate-compile-cache': { env: { N8N_EXPRESSION_ENGINE_COMPILE_CACHE: 'true' }, why: "vm engine, isolated-vm's compile cache on" },
	'isolate-lazy-cache': {
		env: { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true', N8N_EXPRESSION_ENGINE_COMPILE_CACHE: 'true' },
		why: 'isolate-lazy + isolate-compile-cache',
	},
	// In internal mode n8n starts a JavaScript task runner process (~120 MB) that these workflows never use.
	'runner-external': {
		env: { N8N_RUNNERS_MODE: 'external', N8N_RUNNERS_AUTH_TOKEN: 'bench-no-runner-connects' },
		why: 'no task runner process started (a Code node would wait for an external runner)',
	},
	combined: {
		env: { N8N_EXPRESSION_ENGINE: 'legacy', ...NO_EXECUTION_DATA },
		why: 'engine-legacy + no-execution-data',
	},
};
