import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';

import { CrispApi } from '../../../credentials/CrispApi.credentials';
import { Crisp } from '../../../nodes/Crisp/Crisp.node';
import { CrispTrigger } from '../../../nodes/Crisp/CrispTrigger.node';
import { expectHandoffEvent } from '../../helpers/contract';
import { createHarness } from '../../helpers/harness';
import { useNock } from '../../helpers/nock';
import { API, credentials, HOOK_URL, messageHook, ok, OPERATOR, SECRET, SESSION, sessionHook, signed, WEBSITE } from './fixtures';

const harness = createHarness({ credentialTypes: [new CrispApi()] });
const node = new CrispTrigger();
const ALL_EVENTS = ['message', 'conversationUpdated', 'agentAssigned', 'conversationClosed'];
const ACK = { webhookResponse: { received: true } };

async function deliver(
	body: unknown,
	{
		headers = signed(body),
		parameters = {},
		staticData = {},
		query,
		rawBody,
		creds = credentials,
		execution,
	}: { headers?: Record<string, string>; parameters?: IDataObject; staticData?: IDataObject; query?: Record<string, string>; rawBody?: Buffer; creds?: IDataObject; execution?: 'success' | 'error' } = {},
) {
	const result = await harness.webhook(node, {
		// Catch-up has its own tests (catchUp.test.ts); here it would read every conversation back.
		parameters: { source: 'pluginHooks', events: ALL_EVENTS, authors: ['agent'], ...parameters, options: { catchUp: false, ...(parameters.options as IDataObject) } } as never,
		credentials: creds as never,
		staticData,
		webhookUrl: HOOK_URL,
		request: { headers, body, query, rawBody },
		execution,
	});
	const items = (result.response.workflowData?.[0] ?? []).map((item) => item.json);
	items.forEach(expectHandoffEvent);
	return { ...result, items };
}

let nextFingerprint = 163408415509000;
const fresh = () => ++nextFingerprint;

useNock();

describe('Crisp Trigger: Plugin Hooks are read only when signed with the plugin\'s secret', () => {
	it('a signed delivery starts the workflow and is answered when the relay has ended', async () => {
		const { items, http } = await deliver(messageHook('message:received', fresh()));
		expect(items).toHaveLength(1);
		expect(http).toMatchObject({ statusCode: 200, ended: true });
	});

	it('a wrong, missing or replayed signature is 401 before the body is read (a malformed body included)', async () => {
		const malformed = { not: 'a crisp hook' };
		for (const headers of [
			signed(malformed, 'another-secret'),
			{ 'content-type': 'application/json' },
			signed(malformed, SECRET, Date.now() - 6 * 60 * 1000),
			signed(malformed, SECRET, Date.now() + 6 * 60 * 1000),
			{ ...signed(malformed), 'x-crisp-request-timestamp': 'soon' },
		]) {
			const { http, response } = await deliver(malformed, { headers });
			expect([http.statusCode, http.body]).toEqual([401, { error: 'Unauthorized' }]);
			expect(response.workflowData).toBeUndefined();
		}
		// A signature over another body than the one delivered.
		const body = messageHook('message:received', fresh());
		expect((await deliver(body, { headers: signed({ ...body, event: 'message:send' }) })).http.statusCode).toBe(401);
		// No secret in the credential: nothing can be ours.
		expect((await deliver(body, { creds: { crispApi: { ...credentials.crispApi, hookSecret: '' } } })).http.statusCode).toBe(401);
	});

	it('the signature may cover the raw bytes or the body serialised again; a timestamp in seconds is read too', async () => {
		const body = messageHook('message:received', fresh());
		const raw = Buffer.from(JSON.stringify(body, null, 2));
		// Signed over the raw bytes (pretty-printed here).
		const overRaw = signed(body, SECRET, Date.now(), raw.toString());
		expect((await deliver(body, { headers: overRaw, rawBody: raw })).items).toHaveLength(1);
		// Signed over JSON.stringify of the parsed body, as node-crisp-api checks it.
		const again = messageHook('message:received', fresh());
		const rawAgain = Buffer.from(JSON.stringify(again, null, 2));
		expect((await deliver(again, { headers: signed(again), rawBody: rawAgain })).items).toHaveLength(1);
		const seconds = messageHook('message:received', fresh());
		expect((await deliver(seconds, { headers: signed(seconds, SECRET, Math.floor(Date.now() / 1000)) })).items).toHaveLength(1);
	});

	it('a signed body that is no delivery is 400 naming what is missing; events the trigger does not read are 200 without a run', async () => {
		for (const [body, reason] of [
			[{ website_id: WEBSITE, data: {} }, /event/],
			[{ website_id: WEBSITE, event: 'message:send' }, /data/],
			[{ website_id: WEBSITE, event: 'message:send', data: { website_id: WEBSITE } }, /session_id/],
			[{ website_id: WEBSITE, event: 'message:send', data: { session_id: SESSION } }, /fingerprint/],
		] as Array<[IDataObject, RegExp]>) {
			const { http } = await deliver(body);
			expect(http.statusCode).toBe(400);
			expect(JSON.stringify(http.body)).toMatch(reason);
		}
		expect((await deliver({ website_id: WEBSITE, event: 'message:compose:send', data: { session_id: SESSION } })).response).toEqual(ACK);
	});
});

describe('Crisp Trigger: Website Hooks (unsigned) need the secret in the URL', () => {
	const parameters = { source: 'websiteHooks' };
	const headers = { 'content-type': 'application/json' };

	it('refuses a delivery without the secret or with another, reads one with it', async () => {
		const body = messageHook('message:received', fresh());
		expect((await deliver(body, { headers, parameters })).http.statusCode).toBe(401);
		expect((await deliver(body, { headers, parameters, query: { secret: 'wrong' } })).http.statusCode).toBe(401);
		// A signature is no substitute for the URL's secret here.
		expect((await deliver(body, { parameters })).http.statusCode).toBe(401);
		expect((await deliver(body, { headers, parameters, query: { secret: SECRET } })).items).toHaveLength(1);
	});

	it('the node warns that Website Hooks are unsigned, and says Crisp has no API to register hooks', () => {
		const notices = node.description.properties.filter((property) => property.type === 'notice');
		expect(notices.find((notice) => notice.name === 'notice')?.displayName).toMatch(/no API to register web hooks.*paste/i);
		const warning = notices.find((notice) => notice.name === 'unsignedNotice');
		expect(warning?.displayName).toMatch(/not signed.*\?secret=/);
		expect(warning?.displayOptions).toEqual({ show: { source: ['websiteHooks'] } });
	});
});

describe('Crisp Trigger: events in the package\'s shape', () => {
	it('message:received from an operator is an agent message; message:send the customer\'s; automated ones the bot\'s', async () => {
		const agent = messageHook('message:received', fresh());
		const [event] = (await deliver(agent)).items;
		expect(event).toMatchObject({
			event: 'message',
			platform: 'crisp',
			conversationId: SESSION,
			customerId: SESSION,
			websiteId: WEBSITE,
			author: { role: 'agent', id: OPERATOR, name: 'Maria Rossi' },
			message: { type: 'text', text: (agent.data as IDataObject).content },
			messageId: String((agent.data as IDataObject).fingerprint),
			private: false,
			crispEvent: 'message:received',
			timestamp: new Date((agent.data as IDataObject).timestamp as number).toISOString(),
			raw: agent,
		});
		expect((event.message as IDataObject).sourceKey).toBe(`message:received:${WEBSITE}:${SESSION}:${(agent.data as IDataObject).fingerprint}`);

		const customer = messageHook('message:send', fresh());
		expect((await deliver(customer)).response).toEqual(ACK);
		expect((await deliver(customer, { parameters: { authors: ['customer'] } })).items[0]).toMatchObject({ author: { role: 'customer', id: SESSION, name: 'Ada Lovelace' } });
		const bot = messageHook('message:received', fresh(), { automated: true });
		expect((await deliver(bot)).response).toEqual(ACK);
		expect((await deliver(bot, { parameters: { authors: ['bot'] } })).items[0]).toMatchObject({ author: { role: 'bot' } });
	});

	it('a file by URL is an image or a file with its name; a private note is dropped unless Include Private Notes, then flagged', async () => {
		const image = messageHook('message:received', fresh(), { type: 'file', content: { name: 'receipt.png', url: 'https://storage.crisp.chat/receipt.png', type: 'image/png' } });
		expect((await deliver(image)).items[0].message).toMatchObject({ type: 'image', url: 'https://storage.crisp.chat/receipt.png', fileName: 'receipt.png', text: 'https://storage.crisp.chat/receipt.png' });
		const pdf = messageHook('message:received', fresh(), { type: 'file', content: { name: 'invoice.pdf', url: 'https://storage.crisp.chat/invoice.pdf', type: 'application/pdf' } });
		expect((await deliver(pdf)).items[0].message).toMatchObject({ type: 'file', fileName: 'invoice.pdf' });
		const note = messageHook('message:received', fresh(), { type: 'note', content: 'VIP customer' });
		expect((await deliver(note)).response).toEqual(ACK);
		expect((await deliver(note, { parameters: { options: { includeNotes: true } } })).items[0]).toMatchObject({ private: true, message: { text: 'VIP customer' } });
	});

	it('session:set_state resolved is conversationClosed, other states conversationUpdated; session:set_routing agentAssigned', async () => {
		const resolved = (await deliver(sessionHook('session:set_state', { state: 'resolved' }))).items[0];
		expect(resolved).toMatchObject({ event: 'conversationClosed', conversationId: SESSION, conversationStatus: 'resolved', message: null, author: { role: 'system' } });
		expect((await deliver(sessionHook('session:set_state', { state: 'unresolved' }))).items[0]).toMatchObject({ event: 'conversationUpdated', conversationStatus: 'unresolved' });
		const routed = (await deliver(sessionHook('session:set_routing', { routing_id: OPERATOR, previous_routing_id: null }))).items[0];
		expect(routed).toMatchObject({ event: 'agentAssigned', assignedAgentId: OPERATOR, previousAgentId: null, crispEvent: 'session:set_routing' });
		const withAssigned = (await deliver(sessionHook('session:set_routing', { routing_id: 'route-1', assigned: { user_id: OPERATOR } }, Date.now() + 1))).items[0];
		expect(withAssigned).toMatchObject({ event: 'agentAssigned', assignedAgentId: OPERATOR });
		expect((await deliver(sessionHook('session:set_routing', { routing_id: null }, Date.now() + 2))).items[0]).toMatchObject({ event: 'conversationUpdated', assignedAgentId: null });
		// Only the chosen events start the workflow.
		expect((await deliver(sessionHook('session:set_state', { state: 'resolved' }, Date.now()), { parameters: { events: ['message'] } })).response).toEqual(ACK);
	});
});

describe('Crisp Trigger: echoes, retries, duplicates', () => {
	it('drops what the Crisp node wrote: our origin URN, or a fingerprint this process sent', async () => {
		expect((await deliver(messageHook('message:received', fresh(), { origin: 'urn:n8n-handoff:relay:0' }))).response).toEqual(ACK);
		expect((await deliver(messageHook('message:received', fresh(), { origin: 'urn:n8n-handoff:relay:0' }), { parameters: { options: { dropOwnMessages: false } } })).items).toHaveLength(1);

		// The node sends; Crisp (here) answers with a fingerprint of its own and delivers the echo without our origin.
		nock(API).post(`/v1/website/${WEBSITE}/conversation/${SESSION}/message`).reply(202, ok({ fingerprint: 424242424242 }));
		await harness.execute(new Crisp(), {
			parameters: { resource: 'message', operation: 'send', sessionId: SESSION, sendAs: 'operator', messageType: 'text', text: 'On it' } as never,
			credentials: credentials as never,
			items: [{ json: {} }],
		});
		expect((await deliver(messageHook('message:received', 424242424242, { origin: 'chat', content: 'On it' }))).response).toEqual(ACK);
	});

	it('a relay that failed is answered 500, so Crisp\'s next attempt relays it; a delivery relayed once is not relayed again', async () => {
		const staticData = {};
		const body = messageHook('message:received', fresh());
		const failed = await deliver(body, { staticData, execution: 'error' });
		expect(failed.items).toHaveLength(1);
		expect(failed.http).toMatchObject({ statusCode: 500, ended: true });
		const retry = await deliver(body, { staticData, headers: { ...signed(body), 'x-delivery-attempt-count': '2' } });
		expect(retry.items).toHaveLength(1);
		expect((retry.items[0].message as IDataObject).maybeRelayed).toBe(true);
		expect((await deliver(body, { staticData, headers: { ...signed(body), 'x-delivery-attempt-count': '3' } })).response).toEqual(ACK);
	});
});

describe('Crisp Trigger: publishing registers nothing', () => {
	const hook = (method: 'checkExists' | 'create' | 'delete', creds: IDataObject = credentials) =>
		harness.hook(node, method, { parameters: { source: 'pluginHooks', events: ['message'] } as never, credentials: creds as never, staticData: {}, webhookUrl: HOOK_URL });

	it('makes no call to Crisp, and fails when the credential has no Web Hooks Secret to check deliveries with', async () => {
		expect((await hook('checkExists')).result).toBe(false);
		expect((await hook('create')).result).toBe(true);
		await expect(hook('create', { crispApi: { ...credentials.crispApi, hookSecret: '' } })).rejects.toThrow(/no Web Hooks Secret/);
		expect((await hook('delete')).result).toBe(true);
	});
});
