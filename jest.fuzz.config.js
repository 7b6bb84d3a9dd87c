/**
 * The full hostile-input fuzz (`npm run test:fuzz`): 10,000 malformed deliveries per relaying trigger
 * through a real n8n (HANDOFF_FUZZ_COUNT, HANDOFF_FUZZ_SEED, HANDOFF_FUZZ_CONCURRENCY, HANDOFF_FUZZ_FLOOD,
 * HANDOFF_FUZZ_MAX_RSS_MB). Its quick variant runs with the e2e suite (test/e2e/fuzz.e2e.test.ts).
 * The report (every failing case) stays in <run dir>/fuzz/ (printed at the end).
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];

module.exports = {
	displayName: 'fuzz',
	rootDir: __dirname,
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': tsJest },
	testMatch: ['<rootDir>/test/fuzz/**/*.fuzz.test.ts'],
	globalSetup: '<rootDir>/test/e2e/lib/global-setup.ts',
	globalTeardown: '<rootDir>/test/fuzz/global-teardown.ts',
	maxWorkers: 1,
	testTimeout: 4 * 60 * 60 * 1000,
};
