import { createHash } from 'crypto';

import {
	externalIdToken,
	MAX_TOKEN_LENGTH,
	parseRequestId,
	requestIdFromExternalId,
} from '../../../nodes/shared/tiledeskRequestId';

const PROJECT = '65c5f3599faf2d04cd7da528';
const hash12 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 12);

describe('deterministic request id', () => {
	it('is support-group-{projectId}-{externalId} for a clean id, every time', () => {
		expect(requestIdFromExternalId(PROJECT, '473548616')).toBe(`support-group-${PROJECT}-473548616`);
		expect(requestIdFromExternalId(PROJECT, 'conv_01HW3-xY')).toBe(`support-group-${PROJECT}-conv_01HW3-xY`);
		expect(requestIdFromExternalId(PROJECT, '473548616')).toBe(requestIdFromExternalId(PROJECT, '473548616'));
	});

	it('replaces unsafe characters with "_" and appends a hash of the original', () => {
		const id = 'user@example.com/chat 1';
		expect(externalIdToken(id)).toBe(`user_example_com_chat_1-h${hash12(id)}`);
		expect(requestIdFromExternalId(PROJECT, id)).toBe(`support-group-${PROJECT}-user_example_com_chat_1-h${hash12(id)}`);
	});

	it('keeps ids that sanitise alike apart', () => {
		const ids = ['a b', 'a/b', 'a?b', 'a_b', 'a.b', 'a%20b', 'a\nb'];
		const tokens = ids.map(externalIdToken);
		expect(new Set(tokens).size).toBe(ids.length);
		expect(tokens[3]).toBe('a_b');
	});

	it('suffixes a clean id that already looks like a hashed one, so no two ids meet', () => {
		const hashed = externalIdToken('a b');
		expect(hashed).toMatch(/^a_b-h[0-9a-f]{12}$/);
		const lookalike = externalIdToken(hashed);
		expect(lookalike).not.toBe(hashed);
		expect(lookalike).toBe(`${hashed}-h${hash12(hashed)}`);
	});

	it('replaces one character per code point (emoji, accents) and never lets through path or query characters', () => {
		expect(externalIdToken('josé😀')).toBe(`jos__-h${hash12('josé😀')}`);
		for (const unsafe of ['../x', 'a?b=c', 'a#b', 'a&b', '%2F', 'x/y']) {
			expect(externalIdToken(unsafe)).toMatch(/^[A-Za-z0-9_-]+$/);
		}
	});

	it('cuts long ids and keeps them distinct by the hash', () => {
		const long = 'x'.repeat(200);
		const longer = `${'x'.repeat(199)}y`;
		expect(externalIdToken(long)).toBe(`${'x'.repeat(MAX_TOKEN_LENGTH)}-h${hash12(long)}`);
		expect(externalIdToken(long)).not.toBe(externalIdToken(longer));
		expect(externalIdToken('x'.repeat(MAX_TOKEN_LENGTH))).toBe('x'.repeat(MAX_TOKEN_LENGTH));
	});

	it('refuses an empty external id and an invalid project id', () => {
		expect(() => externalIdToken('')).toThrow(/empty/);
		expect(() => requestIdFromExternalId('bad project', '1')).toThrow(/project ID/);
	});
});

describe('parseRequestId', () => {
	it('gives back a clean external id', () => {
		expect(parseRequestId(`support-group-${PROJECT}-conv_01HW3-xY`, PROJECT)).toEqual({
			projectId: PROJECT,
			token: 'conv_01HW3-xY',
			externalId: 'conv_01HW3-xY',
		});
	});

	it('cannot recover a sanitised id: externalId is null, the token stays', () => {
		const requestId = requestIdFromExternalId(PROJECT, 'user@example.com');
		expect(parseRequestId(requestId, PROJECT)).toEqual({
			projectId: PROJECT,
			token: requestId.slice(`support-group-${PROJECT}-`.length),
			externalId: null,
		});
	});

	it('rejects other shapes and other projects', () => {
		expect(parseRequestId('support-group-abc', PROJECT)).toBeNull();
		expect(parseRequestId(`support-group-65c5f3599faf2d04cd7da999-1`, PROJECT)).toBeNull();
		expect(parseRequestId(`group-${PROJECT}-1`)).toBeNull();
		expect(parseRequestId(42)).toBeNull();
	});
});
