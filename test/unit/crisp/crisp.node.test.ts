import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { CrispApi } from '../../../credentials/CrispApi.credentials';
import { Crisp } from '../../../nodes/Crisp/Crisp.node';
import { createHarness } from '../../helpers/harness';
import { useNock } from '../../helpers/nock';
import { API, BASIC, credentials, KEY, IDENTIFIER, ok, OPERATOR, OTHER_WEBSITE, SESSION, WEBSITE } from './fixtures';

const harness = createHarness({ credentialTypes: [new CrispApi()] });
const node = new Crisp();
const SITE = `/v1/website/${WEBSITE}`;
const ORIGIN = 'urn:n8n-handoff:relay:0';
const crisp = (tier = 'plugin') => nock(API, { reqheaders: { authorization: BASIC, 'x-crisp-tier': tier } });

async function run(parameters: IDataObject, extra: { credentials?: IDataObject } = {}) {
	const [output] = await harness.execute(node, { parameters: parameters as never, credentials: (extra.credentials ?? credentials) as never, items: [{ json: {} }] });
	return output;
}

function capture(bodies: IDataObject[]) {
	return (body: IDataObject) => bodies.push(body) > 0;
}

const rl = (value: string) => ({ __rl: true, mode: 'id', value });

useNock();

describe('Crisp API credential', () => {
	it('sends Basic identifier:key with the tier; tests the website it names, or a plugin\'s installs without one', async () => {
		crisp().get(`${SITE}/operators/list`).reply(200, ok([]));
		expect(await harness.testCredential('crispApi', credentials.crispApi)).toEqual({ status: 'OK', message: 'Connection successful!' });
		crisp().get('/v1/plugin/connect/websites/all/1').reply(200, ok([]));
		expect(await harness.testCredential('crispApi', { ...credentials.crispApi, websiteId: '' })).toEqual({ status: 'OK', message: 'Connection successful!' });
		crisp('website').get(`${SITE}/operators/list`).reply(200, ok([]));
		expect((await harness.testCredential('crispApi', { ...credentials.crispApi, tier: 'website' })).status).toBe('OK');
		// n8n's request helper asks a second time after a 401.
		nock(API).get(`${SITE}/operators/list`).times(2).reply(401, { error: true, reason: 'invalid_session', data: {} });
		const refused = await harness.testCredential('crispApi', { ...credentials.crispApi, tokenKey: 'wrong' });
		expect(refused).toMatchObject({ status: 'Error', message: expect.stringMatching(/Identifier, Key and Token Tier/) });
		expect(KEY).not.toBe(IDENTIFIER);
	});
});

describe('Crisp node: Conversation', () => {
	const getOrCreate = { resource: 'conversation', operation: 'getOrCreate', externalId: 'landbot-4735', nickname: 'Ada Lovelace', email: 'ada@example.com' };

	const byExternalId = { search_type: 'filter', search_query: JSON.stringify([{ criterion: 'data.external_id', operator: 'eq', query: ['landbot-4735'] }]) };

	it('Get or Create finds the conversation whose meta.data.external_id is exactly it among the data filter\'s matches', async () => {
		crisp()
			.get(`${SITE}/conversations/1`)
			.query(byExternalId)
			.reply(200, ok([
				{ session_id: 'session_0000-1', state: 'resolved', meta: { nickname: 'Ada', data: { external_id: 'landbot-47351' } } },
				// Listed without its data: its meta is read.
				{ session_id: SESSION, state: 'unresolved', meta: { nickname: 'Ada' } },
			]));
		crisp().get(`${SITE}/conversation/${SESSION}/meta`).reply(200, ok({ nickname: 'Ada', data: { external_id: 'landbot-4735' } }));
		const [item] = await run(getOrCreate);
		expect(item.json).toMatchObject({ sessionId: SESSION, websiteId: WEBSITE, externalId: 'landbot-4735', created: false, state: 'unresolved' });
	});

	it('falls back to the text search when Crisp refuses the data filter (400), and still checks the meta', async () => {
		crisp().get(`${SITE}/conversations/1`).query(byExternalId).reply(400, { error: true, reason: 'invalid_data', data: {} });
		crisp()
			.get(`${SITE}/conversations/1`)
			.query({ search_type: 'text', search_query: 'landbot-4735' })
			.reply(200, ok([
				{ session_id: 'session_0000-1', meta: { data: { external_id: 'landbot-47351' } } },
				{ session_id: SESSION, state: 'resolved', meta: { data: { external_id: 'landbot-4735' } } },
			]));
		const [item] = await run(getOrCreate);
		expect(item.json).toMatchObject({ sessionId: SESSION, created: false, state: 'resolved' });
	});

	it('creates a missing one, then sets its meta: nickname, email, subject, segments, the external id and an empty catch-up mark in data', async () => {
		crisp().get(`${SITE}/conversations/1`).query(true).reply(200, ok([]));
		crisp().post(`${SITE}/conversation`).reply(201, ok({ session_id: SESSION }));
		const metas: IDataObject[] = [];
		crisp().patch(`${SITE}/conversation/${SESSION}/meta`, capture(metas)).reply(200, ok({}));
		const [item] = await run({ ...getOrCreate, options: { subject: 'Parcel A-17', segments: 'handoff, vip' } });
		expect(metas).toEqual([{ nickname: 'Ada Lovelace', email: 'ada@example.com', subject: 'Parcel A-17', segments: ['handoff', 'vip'], data: { external_id: 'landbot-4735', n8n_handoff_relayed: '' } }]);
		expect(item.json).toMatchObject({ sessionId: SESSION, created: true });
	});

	it('a plugin token works in the website the node names instead of the credential\'s', async () => {
		nock(API).get(`/v1/website/${OTHER_WEBSITE}/conversation/${SESSION}`).reply(200, ok({ session_id: SESSION, state: 'pending' }));
		const [item] = await run({ resource: 'conversation', operation: 'get', websiteId: OTHER_WEBSITE, sessionId: SESSION });
		expect(item.json).toEqual({ session_id: SESSION, state: 'pending' });
	});

	it('Set State, Assign (routing) and Move to Inbox make one PATCH each', async () => {
		crisp().patch(`${SITE}/conversation/${SESSION}/state`, { state: 'resolved' }).reply(200, ok({}));
		expect((await run({ resource: 'conversation', operation: 'setState', sessionId: SESSION, state: 'resolved' }))[0].json).toEqual({ sessionId: SESSION, websiteId: WEBSITE, state: 'resolved' });
		crisp().patch(`${SITE}/conversation/${SESSION}/state`, { state: 'unresolved' }).reply(200, ok({}));
		await run({ resource: 'conversation', operation: 'setState', sessionId: SESSION, state: 'unresolved' });
		crisp().patch(`${SITE}/conversation/${SESSION}/routing`, { assigned: { user_id: OPERATOR }, silent: true }).reply(200, ok({}));
		expect((await run({ resource: 'conversation', operation: 'assign', sessionId: SESSION, operatorId: rl(OPERATOR), options: { silent: true } }))[0].json).toMatchObject({ assignedOperatorId: OPERATOR });
		crisp().patch(`${SITE}/conversation/${SESSION}/inbox`, { inbox_id: null }).reply(200, ok({}));
		expect((await run({ resource: 'conversation', operation: 'moveToInbox', sessionId: SESSION, inboxId: rl('') }))[0].json).toMatchObject({ inboxId: null });
	});

	it('Update Meta keeps the other data keys (read, then merged)', async () => {
		crisp().get(`${SITE}/conversation/${SESSION}/meta`).reply(200, ok({ nickname: 'Ada', data: { external_id: 'landbot-4735' } }));
		const metas: IDataObject[] = [];
		crisp().patch(`${SITE}/conversation/${SESSION}/meta`, capture(metas)).reply(200, ok({}));
		await run({ resource: 'conversation', operation: 'updateMeta', sessionId: SESSION, fields: { subject: 'VIP', data: '{"order": "A-17"}' } });
		expect(metas).toEqual([{ subject: 'VIP', data: { external_id: 'landbot-4735', order: 'A-17' } }]);
	});

	it('Get Many reads the search pages until an empty one, up to the limit', async () => {
		crisp().get(`${SITE}/conversations/1`).query({ filter_resolved: 1 }).reply(200, ok([{ session_id: 'session_a' }, { session_id: 'session_b' }]));
		crisp().get(`${SITE}/conversations/2`).query({ filter_resolved: 1 }).reply(200, ok([{ session_id: 'session_c' }]));
		crisp().get(`${SITE}/conversations/3`).query({ filter_resolved: 1 }).reply(200, ok([]));
		const all = await run({ resource: 'conversation', operation: 'getMany', state: 'resolved', returnAll: true });
		expect(all.map((item) => item.json.session_id)).toEqual(['session_a', 'session_b', 'session_c']);
		crisp().get(`${SITE}/conversations/1`).query({ search_type: 'text', search_query: 'parcel' }).reply(200, ok([{ session_id: 'session_a' }, { session_id: 'session_b' }]));
		const one = await run({ resource: 'conversation', operation: 'getMany', search: 'parcel', returnAll: false, limit: 1 });
		expect(one.map((item) => item.json.session_id)).toEqual(['session_a']);
	});

	it('names the parameter that is wrong; Crisp\'s refusals carry its reason', async () => {
		await expect(run({ ...getOrCreate, externalId: ' ' })).rejects.toThrow(/"External ID" is empty/);
		await expect(run({ resource: 'conversation', operation: 'get', sessionId: '42' })).rejects.toThrow(/"Session ID" must be a Crisp session ID/);
		await expect(run({ resource: 'conversation', operation: 'assign', sessionId: SESSION, operatorId: rl('maria') })).rejects.toThrow(/"Operator" must be a Crisp ID/);
		await expect(run({ resource: 'conversation', operation: 'get', sessionId: SESSION }, { credentials: { crispApi: { ...credentials.crispApi, websiteId: '' } } })).rejects.toThrow(/"Website ID" is empty/);
		await expect(run({ resource: 'conversation', operation: 'updateMeta', sessionId: SESSION, fields: {} })).rejects.toThrow(/"Fields" is empty/);
		crisp().get(`${SITE}/conversation/${SESSION}`).reply(404, { error: true, reason: 'session_not_found', data: { message: 'No such session' } });
		const failure = run({ resource: 'conversation', operation: 'get', sessionId: SESSION });
		await expect(failure).rejects.toThrow(NodeApiError);
		await expect(failure).rejects.toThrow(/session_not_found|No such session/);
	});
});

describe('Crisp node: Message', () => {
	const send = { resource: 'message', operation: 'send', sessionId: SESSION };

	it('sends as the customer (from user), as an operator (from operator) and as a note, each with our origin and a fingerprint', async () => {
		const bodies: IDataObject[] = [];
		crisp().post(`${SITE}/conversation/${SESSION}/message`, capture(bodies)).times(3).reply(202, ok({}));
		await run({ ...send, sendAs: 'customer', messageType: 'text', text: 'My parcel never arrived' });
		await run({ ...send, sendAs: 'operator', messageType: 'text', text: 'On it', options: { nickname: 'Support bot' } });
		const [note] = await run({ ...send, sendAs: 'note', messageType: 'text', text: 'VIP customer' });
		expect(bodies.map(({ fingerprint, ...rest }) => rest)).toEqual([
			{ type: 'text', from: 'user', origin: ORIGIN, content: 'My parcel never arrived' },
			{ type: 'text', from: 'operator', origin: ORIGIN, content: 'On it', user: { nickname: 'Support bot' } },
			{ type: 'note', from: 'operator', origin: ORIGIN, content: 'VIP customer' },
		]);
		for (const body of bodies) expect(Number.isSafeInteger(body.fingerprint) && (body.fingerprint as number) > 0).toBe(true);
		expect(new Set(bodies.map((body) => body.fingerprint)).size).toBe(3);
		expect(note.json).toMatchObject({ sessionId: SESSION, fingerprint: bodies[2].fingerprint, alreadySent: false, sentAs: 'note' });
	});

	it('sends a file by URL (type file {name, url, type}) after its caption; names a bad URL', async () => {
		const bodies: IDataObject[] = [];
		crisp().post(`${SITE}/conversation/${SESSION}/message`, capture(bodies)).times(2).reply(202, ok({}));
		await run({ ...send, sendAs: 'operator', messageType: 'file', url: 'https://files.example.com/receipt.png', caption: 'Your receipt' });
		expect(bodies.map((body) => [body.type, body.content])).toEqual([
			['text', 'Your receipt'],
			['file', { name: 'receipt.png', url: 'https://files.example.com/receipt.png', type: 'image/png' }],
		]);
		await expect(run({ ...send, sendAs: 'operator', messageType: 'file', url: 'ftp://files.example.com/a.png' })).rejects.toThrow(/"URL"/);
		await expect(run({ ...send, sendAs: 'operator', messageType: 'text', text: ' ' })).rejects.toThrow(/"Text" is empty/);
	});

	it('relays a trigger event as it is: the same source key gives the same fingerprint; a maybeRelayed one found in the history is not sent again', async () => {
		const event = { type: 'image', text: 'photo.jpg', url: 'https://files.example.com/photo.jpg', fileName: 'photo.jpg', sourceKey: 'landbot:msg:77' };
		const bodies: IDataObject[] = [];
		crisp().post(`${SITE}/conversation/${SESSION}/message`, capture(bodies)).times(2).reply(202, ok({}));
		await run({ ...send, sendAs: 'customer', messageType: 'event', message: JSON.stringify(event) });
		await run({ ...send, sendAs: 'customer', messageType: 'event', message: JSON.stringify(event) });
		expect(bodies[0]).toMatchObject({ type: 'file', from: 'user', content: { name: 'photo.jpg', url: 'https://files.example.com/photo.jpg', type: 'image/jpeg' } });
		expect(bodies[1].fingerprint).toBe(bodies[0].fingerprint);
		const fingerprint = bodies[0].fingerprint as number;

		// A retry: the latest batch lacks it, the one before has it.
		crisp().get(`${SITE}/conversation/${SESSION}/messages`).reply(200, ok([{ fingerprint: 5, timestamp: 2000, type: 'text' }, { fingerprint: 6, timestamp: 3000, type: 'text' }]));
		crisp().get(`${SITE}/conversation/${SESSION}/messages`).query({ timestamp_before: 2000 }).reply(200, ok([{ fingerprint, timestamp: 1000, type: 'file', from: 'user' }]));
		const [repeat] = await run({ ...send, sendAs: 'customer', messageType: 'event', message: JSON.stringify({ ...event, maybeRelayed: true }) });
		expect(repeat.json).toMatchObject({ alreadySent: true, fingerprint });

		// Not there: sent.
		crisp().get(`${SITE}/conversation/${SESSION}/messages`).reply(200, ok([]));
		crisp().post(`${SITE}/conversation/${SESSION}/message`).reply(202, ok({}));
		const [sent] = await run({ ...send, sendAs: 'customer', messageType: 'event', message: JSON.stringify({ ...event, sourceKey: 'landbot:msg:78', maybeRelayed: true }) });
		expect(sent.json).toMatchObject({ alreadySent: false });

		// Sent again without the flag: a conflict on its fingerprint means it is there; other messages are not excused.
		crisp().post(`${SITE}/conversation/${SESSION}/message`).reply(409, { error: true, reason: 'conflict', data: { message: 'fingerprint already used' } });
		const [conflict] = await run({ ...send, sendAs: 'customer', messageType: 'event', message: JSON.stringify({ ...event, sourceKey: 'landbot:msg:78' }) });
		expect(conflict.json).toMatchObject({ alreadySent: true });
		crisp().post(`${SITE}/conversation/${SESSION}/message`).reply(409, { error: true, reason: 'conflict', data: { message: 'fingerprint already used' } });
		await expect(run({ ...send, sendAs: 'customer', messageType: 'text', text: 'hello' })).rejects.toThrow(NodeApiError);
	});

	it('Get Many pages back by the oldest timestamp, oldest first, up to the limit', async () => {
		crisp().get(`${SITE}/conversation/${SESSION}/messages`).reply(200, ok([{ fingerprint: 3, timestamp: 3000 }, { fingerprint: 4, timestamp: 4000, type: 'note' }]));
		crisp().get(`${SITE}/conversation/${SESSION}/messages`).query({ timestamp_before: 3000 }).reply(200, ok([{ fingerprint: 1, timestamp: 1000 }, { fingerprint: 2, timestamp: 2000 }]));
		crisp().get(`${SITE}/conversation/${SESSION}/messages`).query({ timestamp_before: 1000 }).reply(200, ok([]));
		const all = await run({ resource: 'message', operation: 'getMany', sessionId: SESSION, returnAll: true, options: { excludeNotes: true } });
		expect(all.map((item) => item.json.fingerprint)).toEqual([1, 2, 3]);
		crisp().get(`${SITE}/conversation/${SESSION}/messages`).query({ timestamp_before: Date.parse('2026-12-06T10:00:00.000Z') }).reply(200, ok([{ fingerprint: 8, timestamp: 8000 }, { fingerprint: 9, timestamp: 9000 }]));
		const last = await run({ resource: 'message', operation: 'getMany', sessionId: SESSION, returnAll: false, limit: 1, options: { before: '2026-12-06T10:00:00.000Z' } });
		expect(last.map((item) => item.json.fingerprint)).toEqual([9]);
		await expect(run({ resource: 'message', operation: 'getMany', sessionId: SESSION, returnAll: true, options: { before: 'yesterday' } })).rejects.toThrow(/"Before" must be a date/);
	});

	it('lists operators and inboxes for the dropdowns', async () => {
		crisp()
			.get(`${SITE}/operators/list`)
			.reply(200, ok([{ type: 'sandbox', details: { user_id: OPERATOR, first_name: 'Maria', last_name: 'Rossi', email: 'maria@example.com', role: 'owner', availability: 'online' } }]));
		const operators = await harness.listSearch(node, 'searchOperators', { parameters: { resource: 'conversation', operation: 'assign' } as never, credentials: credentials as never });
		expect(operators.results).toEqual([{ name: 'Maria Rossi', value: OPERATOR, url: undefined }].map(({ url, ...rest }) => expect.objectContaining(rest)));
		crisp().get(`${SITE}/inboxes/list/1`).reply(200, ok([{ inbox_id: '4d6f2c3e-5b1a-4f0e-8c7d-9e2a1b3c4d5e', name: 'Billing' }]));
		crisp().get(`${SITE}/inboxes/list/2`).reply(200, ok([]));
		const inboxes = await harness.listSearch(node, 'searchInboxes', { parameters: { resource: 'conversation', operation: 'moveToInbox' } as never, credentials: credentials as never });
		expect(inboxes.results).toEqual([expect.objectContaining({ name: 'Billing', value: '4d6f2c3e-5b1a-4f0e-8c7d-9e2a1b3c4d5e' })]);
	});
});
