import type { IDataObject } from 'n8n-workflow';

import {
	credentialFromAuthorization,
	describeErrorBody,
	generateSecret,
	idToString,
	ownValue,
	contentFromEvent,
	matchesAnySecret,
	registrationsComplete,
	storedRegistrations,
	retryAfterMs,
	RequestPacer,
	secretsMatch,
	toIsoTimestamp,
	numberOf,
	nestedTooDeep,
} from '../../../nodes/shared';

describe('secrets', () => {
	it('generates 32 random bytes as 64 hex characters, never twice the same', () => {
		const a = generateSecret();
		expect(a).toMatch(/^[0-9a-f]{64}$/);
		expect(generateSecret()).not.toBe(a);
	});

	it('matches only the exact secret, whatever the lengths', () => {
		expect(secretsMatch('s3cret', 's3cret')).toBe(true);
		expect(secretsMatch('s3cret', 's3cre')).toBe(false);
		expect(secretsMatch('s3cret', 's3cret ')).toBe(false);
		expect(secretsMatch('s3cret', 'S3CRET')).toBe(false);
	});

	it('never matches when either side is missing or empty', () => {
		expect(secretsMatch(undefined, undefined)).toBe(false);
		expect(secretsMatch('', '')).toBe(false);
		expect(secretsMatch('x', undefined)).toBe(false);
		expect(secretsMatch(undefined, 'x')).toBe(false);
		expect(secretsMatch(['x'], 'x')).toBe(false);
	});

	it('reads the value of an Authorization header for one scheme only', () => {
		expect(credentialFromAuthorization('Token abc', 'Token')).toBe('abc');
		expect(credentialFromAuthorization('token  abc ', 'Token')).toBe('abc');
		expect(credentialFromAuthorization('Bearer abc', 'Token')).toBeUndefined();
		expect(credentialFromAuthorization('Token a b', 'Token')).toBeUndefined();
		expect(credentialFromAuthorization(undefined, 'Token')).toBeUndefined();
	});
});

describe('Retry-After', () => {
	it('reads delta-seconds and HTTP dates', () => {
		expect(retryAfterMs('3')).toBe(3000);
		expect(retryAfterMs('0')).toBe(0);
		const now = Date.parse('2026-11-21T10:00:00Z');
		expect(retryAfterMs('Sat, 21 Nov 2026 10:00:05 GMT', now)).toBe(5000);
		expect(retryAfterMs(undefined)).toBeUndefined();
		expect(retryAfterMs('soon')).toBeUndefined();
	});
});

describe('event helpers', () => {
	it('turns Unix seconds, milliseconds and date strings into ISO 8601', () => {
		expect(toIsoTimestamp(1747943104.006807)).toBe('2025-05-22T19:45:04.006Z');
		expect(toIsoTimestamp(1747943104006)).toBe('2025-05-22T19:45:04.006Z');
		expect(toIsoTimestamp('1747943104')).toBe('2025-05-22T19:45:04.000Z');
		expect(toIsoTimestamp('2025-05-22T19:45:04Z')).toBe('2025-05-22T19:45:04.000Z');
	});

	it.each([1e308, -1e308, '1e308', 9e15, 8.64e15, -8.64e15, 253402300800000, '+275760-09-13T00:00:00.000Z', Number.MAX_VALUE, 'not a date', {}, [], null])(
		'falls back to the time of receipt for %p, which no date of years 0000–9999 can hold',
		(value) => {
			const before = Date.now();
			const iso = toIsoTimestamp(value);
			expect(Date.parse(iso)).toBeGreaterThanOrEqual(before - 1);
			expect(Date.parse(iso)).toBeLessThanOrEqual(Date.now() + 1);
			expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
		},
	);

	it('reads numbers from JSON without ever throwing', () => {
		expect(numberOf(12.5)).toBe(12.5);
		expect(numberOf('7')).toBe(7);
		expect(numberOf(JSON.parse('{"valueOf": 1, "toString": 1}'))).toBeNaN();
		expect(numberOf('')).toBeNaN();
	});

	it('tells a body nested deeper than any platform sends, without overflowing itself', () => {
		let deep: unknown = 'x';
		for (let i = 0; i < 5000; i++) deep = [deep];
		expect(() => JSON.stringify(deep)).toThrow();
		expect(nestedTooDeep({ messages: [deep] })).toBe(true);
		expect(nestedTooDeep({ messages: [{ customer: { id: 1 }, data: { body: 'hi' } }] })).toBe(false);
	});

	it('makes ids strings and empties null', () => {
		expect(idToString(473548616)).toBe('473548616');
		expect(idToString('')).toBeNull();
		expect(idToString(undefined)).toBeNull();
		expect(idToString(JSON.parse('{"toString": 1}'))).toBeNull();
		expect(idToString(['a'])).toBeNull();
		expect(idToString(true)).toBeNull();
		expect(idToString(false)).toBeNull();
		expect(idToString(Number.NaN)).toBeNull();
	});

	it('turns a trigger event\'s message into what to send', () => {
		expect(contentFromEvent({ type: 'text', text: 'hi' })).toEqual({ type: 'text', text: 'hi' });
		expect(contentFromEvent({ type: 'other', text: 'A card', url: 'https://x.example/c' })).toEqual({ type: 'text', text: 'A card\nhttps://x.example/c' });
		// The file name as text is no caption.
		expect(contentFromEvent({ type: 'file', text: 'a.pdf', url: 'https://x.example/a.pdf', fileName: 'a.pdf' })).toEqual({
			type: 'file',
			url: 'https://x.example/a.pdf',
			caption: '',
			fileName: 'a.pdf',
			mimeType: null,
		});
		expect(contentFromEvent({ type: 'video', text: '', url: 'https://x.example/v.mp4' })).toMatchObject({ type: 'file', url: 'https://x.example/v.mp4' });
		expect(contentFromEvent({ type: 'image', text: 'x', url: 'javascript:alert(1)' })).toEqual({ type: 'text', text: 'x' });
		expect(contentFromEvent({ type: 'location', text: '', latitude: 1.5, longitude: -2 })).toEqual({ type: 'text', text: 'Location: 1.5, -2' });
		expect(contentFromEvent({ type: 'location', latitude: '1', longitude: {} })).toBeNull();
		expect(contentFromEvent({ type: 'text', text: '   ' })).toBeNull();
		expect(contentFromEvent(JSON.parse('{"type": {"toString": 1}, "text": {"valueOf": 1}}'))).toBeNull();
	});

	it('looks up a key from a request among a map\'s own entries only', () => {
		const roles = { customer: 'Customer' };
		expect(ownValue(roles, 'customer')).toBe('Customer');
		for (const key of ['constructor', 'valueOf', 'hasOwnProperty', '__proto__', '__defineGetter__', 'toString']) {
			expect(ownValue(roles, key)).toBeUndefined();
		}
		expect(ownValue(roles, 42)).toBeUndefined();
	});
});

describe('platform error text', () => {
	it.each([
		[{ detail: 'Invalid token.' }, 'Invalid token.'],
		[{ errors: { customer: ['Customer is assigned to another agent'] } }, 'customer: Customer is assigned to another agent'],
		[{ errors: { rate: ['Too many requests'], other: ['x', 'y'] } }, 'rate: Too many requests; other: x, y'],
		[{ success: false, msg: 'Not allowed' }, 'Not allowed'],
		[{ error: { message: 'nested' } }, 'nested'],
		['plain text', 'plain text'],
		[null, ''],
	])('%j → %s', (body, text) => {
		expect(describeErrorBody(body)).toBe(text);
	});
});

describe('registered webhooks', () => {
	const held = [
		{ id: 's1', event: 'message.create', secret: 'secret-one' },
		{ id: 's2', event: 'request.close', secret: 'secret-two' },
	];

	it('keeps only well-formed entries from static data', () => {
		const staticData = { subscriptions: [...held, { id: 's3', secret: '' }, null, { id: 4, secret: 'x' }] } as unknown as IDataObject;
		expect(storedRegistrations(staticData, 'subscriptions')).toEqual(held);
		expect(storedRegistrations({}, 'subscriptions')).toEqual([]);
	});

	it('accepts the secret of any registration and nothing else', () => {
		expect(matchesAnySecret(held, 'secret-two')).toBe(true);
		expect(matchesAnySecret(held, 'secret-three')).toBe(false);
		expect(matchesAnySecret(held, undefined)).toBe(false);
		expect(matchesAnySecret([], 'secret-one')).toBe(false);
	});

	it('is complete only with one remote registration per wanted kind, each one held', () => {
		const ours = held.map((entry) => ({ id: entry.id, kind: entry.event }));
		expect(registrationsComplete(['message.create', 'request.close'], ours, ours)).toBe(true);
		expect(registrationsComplete(['message.create'], ours, ours)).toBe(false);
		expect(registrationsComplete(['message.create', 'request.close'], ours, ours.slice(0, 1))).toBe(false);
		expect(registrationsComplete(['message.create', 'request.close'], [ours[0], { id: 's9', kind: 'request.close' }], ours)).toBe(false);
		expect(registrationsComplete([], [], [])).toBe(false);
	});
});

describe('request pacer', () => {
	it('lets a window\'s worth of calls through at once, then makes the next wait for a free slot, per key', async () => {
		const pacer = new RequestPacer(3, 200);
		const started = Date.now();
		for (let i = 0; i < 3; i++) await pacer.wait('token-a');
		expect(Date.now() - started).toBeLessThan(100);
		await pacer.wait('token-b'); // another token has its own slots
		expect(Date.now() - started).toBeLessThan(100);
		await pacer.wait('token-a');
		expect(Date.now() - started).toBeGreaterThanOrEqual(195);
	});
});
