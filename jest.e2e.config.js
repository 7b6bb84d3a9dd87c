/**
 * End-to-end suite: drives a real n8n 2.40.7 (installed once into ~/.cache by scripts/install-n8n.sh,
 * from globalSetup). One test file at a time: each n8n takes ~0.5-1 GB of RAM and the machine has 2 cores.
 *   npx jest -c jest.e2e.config.js
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];

module.exports = {
	displayName: 'e2e',
	rootDir: __dirname,
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': tsJest },
	testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
	globalSetup: '<rootDir>/test/e2e/lib/global-setup.ts',
	globalTeardown: '<rootDir>/test/e2e/lib/global-teardown.ts',
	maxWorkers: 1,
	testTimeout: 300_000, // start-up, imports and publishing take ~15-30 s per n8n
	slowTestThreshold: 120,
};
