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
	// restore() takes nock's interceptor off Node's http/https, which every test file of a jest
	// worker shares: left on, it breaks later files that make real local requests (the TLS proxy).
	afterAll(() => {
		nock.enableNetConnect();
		nock.restore();
	});
}
