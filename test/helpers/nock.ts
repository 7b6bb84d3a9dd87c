import nock from 'nock';

/**
 * No real network in unit tests, and every interceptor a test sets up must have been called:
 * a request the node failed to make is a failure, not a silent pass.
 */
export function useNock(): void {
	beforeAll(() => nock.disableNetConnect());
	afterEach(() => {
		const pending = nock.pendingMocks();
		nock.cleanAll();
		expect(pending).toEqual([]);
	});
	afterAll(() => nock.enableNetConnect());
}
