import type { ICredentialTestFunctions, IDataObject, INode, INodeTypes } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { HandoffRequestApi } from '../../../credentials/HandoffRequestApi.credentials';
import { HandoffRequestTrigger } from '../../../nodes/HandoffRequest/HandoffRequestTrigger.node';
import { bodyObject } from '../../../nodes/HandoffRequest/request';
import { createHarness } from '../../helpers/harness';

const SECRET = 'f3b1c2d4e5a6978812345678abcdef0123456789';
const credentials = { handoffRequestApi: { headerName: 'X-Handoff-Secret', secret: SECRET } };
const harness = createHarness({ credentialTypes: [new HandoffRequestApi()] });
const node = new HandoffRequestTrigger();

interface CallOptions {
	parameters?: IDataObject;
	headers?: Record<string, string>;
	credential?: Record<string, string>;
	query?: Record<string, string>;
	execution?: 'success' | 'error' | 'pending';
}

/** A bot's call, by default as Landbot's Webhook block makes it: JSON body, the secret header. */
async function call(body: unknown, options: CallOptions = {}) {
	const result = await harness.webhook(node, {
		parameters: { path: 'landbot-handoff-start', ...(options.parameters ?? {}) },
		credentials: { handoffRequestApi: options.credential ?? credentials.handoffRequestApi },
		request: {
			path: '/webhook/landbot-handoff-start',
			headers: options.headers ?? { 'content-type': 'application/json', 'user-agent': 'Landbot-Webhook', 'x-handoff-secret': SECRET },
			body,
			query: options.query,
		},
		execution: options.execution,
	});
	const items = (result.response.workflowData?.[0] ?? []).map((item) => item.json);
	return { ...result, items };
}

describe('Handoff Request Trigger: the node description', () => {
	const [webhook] = node.description.webhooks ?? [];

	it('serves one POST webhook at the path the user sets, under /webhook/ directly (as n8n\'s Webhook node)', () => {
		expect(node.description.webhooks).toHaveLength(1);
		expect(webhook).toMatchObject({ name: 'default', httpMethod: 'POST', isFullPath: true, path: '={{$parameter["path"]}}' });
		// Answered by webhook() itself unless the workflow's answer is wanted: n8n waits for the last node.
		expect(webhook).toMatchObject({ responseMode: 'lastNode', responseData: '={{$parameter["responseBody"] === "none" ? "noData" : "firstEntryJson"}}' });
	});

	it('shows the path on the canvas', () => {
		const instance: INode = {
			id: 'n',
			name: 'Handoff requested',
			type: 'n8n-nodes-handoff.handoffRequestTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		};
		const nodeTypes: INodeTypes = {
			getByName: () => node,
			getByNameAndVersion: () => node,
			getKnownTypes: () => ({}),
		};
		const subtitle = (path: string) => {
			instance.parameters = { path };
			const workflow = new Workflow({ nodes: [instance], connections: {}, active: false, nodeTypes });
			return workflow.expression.getSimpleParameterValue(instance, node.description.subtitle, 'internal', {});
		};
		expect(subtitle('landbot-handoff-start')).toBe('POST /landbot-handoff-start');
		expect(subtitle('')).toBe('POST');
	});
});

describe('Handoff Request Trigger: the secret', () => {
	it('answers 401 and starts nothing without the header, with a wrong or empty value, or with it in another header', async () => {
		const cases: Array<Record<string, string>> = [
			{ 'content-type': 'application/json' },
			{ 'content-type': 'application/json', 'x-handoff-secret': 'wrong' },
			{ 'content-type': 'application/json', 'x-handoff-secret': '' },
			{ 'content-type': 'application/json', authorization: SECRET },
			{ 'content-type': 'application/json', 'x-other-secret': SECRET },
		];
		for (const headers of cases) {
			const { http, response } = await call({ customer_id: 42 }, { headers });
			expect([headers, http.statusCode]).toEqual([headers, 401]);
			expect(http.body).toEqual({ error: 'Unauthorized' });
			expect(response).toEqual({ noWebhookResponse: true });
		}
	});

	it('checks the secret before it reads the body: a bad body with a wrong secret is 401 too', async () => {
		for (const body of ['not json', [1, 2], null]) {
			const { http } = await call(body, { headers: { 'content-type': 'text/plain', 'x-handoff-secret': 'wrong' } });
			expect(http.statusCode).toBe(401);
		}
	});

	it('uses the header the credential names, case-insensitively, and nothing else', async () => {
		const credential = { headerName: 'X-Bot-Token', secret: SECRET };
		const ok = await call({ customer_id: 42 }, { credential, headers: { 'content-type': 'application/json', 'x-bot-token': SECRET } });
		expect(ok.items).toHaveLength(1);
		const defaultHeader = await call({ customer_id: 42 }, { credential, headers: { 'content-type': 'application/json', 'x-handoff-secret': SECRET } });
		expect(defaultHeader.http.statusCode).toBe(401);
	});

	it('refuses every call when the credential cannot verify one (empty secret, invalid header name)', async () => {
		for (const credential of [{ headerName: 'X-Handoff-Secret', secret: '' }, { headerName: 'Bad Header', secret: SECRET }]) {
			const { http } = await call({ customer_id: 42 }, { credential, headers: { 'content-type': 'application/json', 'x-handoff-secret': '' } });
			expect(http.statusCode).toBe(401);
		}
	});
});

describe('Handoff Request Trigger: what the workflow gets', () => {
	it('one item {body, query, receivedAt}: no request headers, so the secret, cookies and tokens stay out of the execution', async () => {
		const before = Date.now();
		const { items, http, response } = await call(
			{ customer_id: '473548616', name: 'Ada', email: 'ada@example.com' },
			{
				headers: {
					'content-type': 'application/json',
					'user-agent': 'Landbot-Webhook',
					'x-handoff-secret': SECRET,
					authorization: 'Bearer some-proxy-token-0123456789',
					cookie: 'session=cookie-value-0123456789',
				},
				query: { source: 'landbot' },
			},
		);
		expect(items).toEqual([
			{
				body: { customer_id: '473548616', name: 'Ada', email: 'ada@example.com' },
				query: { source: 'landbot' },
				receivedAt: expect.any(String),
			},
		]);
		expect(Date.parse(String(items[0].receivedAt))).toBeGreaterThanOrEqual(before - 1000);
		const stored = JSON.stringify(response.workflowData);
		for (const secret of [SECRET, 'some-proxy-token', 'cookie-value', 'x-handoff-secret']) expect(stored).not.toContain(secret);
		// Answered at once (Landbot's Webhook block waits for the answer to go on), the workflow runs after.
		expect(response.noWebhookResponse).toBe(true);
		expect(http).toMatchObject({ statusCode: 200, ended: true, body: { received: true } });
	});

	it('answers after the workflow with Respond "When Last Node Finishes": 200 once it ended, 500 if it failed', async () => {
		const done = await call({ customer_id: 42 }, { parameters: { respond: 'lastNode' } });
		expect(done.response.noWebhookResponse).toBeUndefined();
		expect(done.items).toHaveLength(1);
		expect(done.http).toMatchObject({ statusCode: 200, ended: true });
		const pending = await call({ customer_id: 42 }, { parameters: { respond: 'lastNode' }, execution: 'pending' });
		expect(pending.http.ended).toBe(false);
		const failed = await call({ customer_id: 42 }, { parameters: { respond: 'lastNode' }, execution: 'error' });
		expect(failed.http).toMatchObject({ statusCode: 500, ended: true });
	});

	it('accepts an empty body as {}, a JSON object sent as text, and a form body', async () => {
		expect((await call({})).items[0].body).toEqual({});
		const text = await call('{"customer_id": 7}', { headers: { 'content-type': 'text/plain', 'x-handoff-secret': SECRET } });
		expect(text.items[0].body).toEqual({ customer_id: 7 });
		const form = Object.assign(Object.create(null) as IDataObject, { customer_id: '7', name: 'Ada' });
		const formCall = await call(form, { headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-handoff-secret': SECRET } });
		expect(formCall.items[0].body).toEqual({ customer_id: '7', name: 'Ada' });
		expect(Object.getPrototypeOf(formCall.items[0].body)).toBe(Object.prototype);
	});

	it.each([
		['text that is not JSON', 'customer_id=7&oops', 'body is not JSON'],
		['a JSON array', [{ customer_id: 7 }], 'body must be a JSON object'],
		['a JSON string', '"hello"', 'body must be a JSON object'],
		['a number', 42, 'body must be a JSON object'],
	])('answers 400 with a reason for %s, and starts nothing', async (_, body, reason) => {
		const headers = { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', 'x-handoff-secret': SECRET };
		const { http, response } = await call(body, { headers });
		expect(http.statusCode).toBe(400);
		expect(http.body).toEqual({ error: 'Bad Request', reason });
		expect(response).toEqual({ noWebhookResponse: true });
	});

	it('answers 400 to a body nested deeper than 64 levels, parsed by n8n or sent as text', async () => {
		let deep: unknown = 'bottom';
		for (let i = 0; i < 100; i++) deep = { d: deep };
		const json = await call(deep);
		expect(json.http.statusCode).toBe(400);
		const text = await call(JSON.stringify(deep), { headers: { 'content-type': 'text/plain', 'x-handoff-secret': SECRET } });
		expect([text.http.statusCode, (text.http.body as IDataObject).reason]).toEqual([400, 'nested deeper than 64 levels']);
	});

	it('parses a body sent without a content type (n8n leaves it unparsed), and refuses JSON null', () => {
		expect(bodyObject(undefined, Buffer.from('{"customer_id": 7}'))).toEqual({ body: { customer_id: 7 } });
		expect(bodyObject(undefined, Buffer.from(''))).toEqual({ body: {} });
		expect(bodyObject(undefined, undefined)).toEqual({ body: {} });
		expect(bodyObject(undefined, Buffer.from('{"customer_id": '))).toEqual({ error: 'body is not JSON' });
		// JSON null as n8n parses it (the harness cannot send a null body).
		expect(bodyObject(null, Buffer.from('null'))).toEqual({ error: 'body must be a JSON object' });
	});
});

describe('Handoff Request Trigger: publishing and the credential test', () => {
	it('registers nothing; publishing refuses a credential that could verify no call', async () => {
		expect((await harness.hook(node, 'checkExists', { parameters: {}, credentials })).result).toBe(false);
		expect((await harness.hook(node, 'create', { parameters: {}, credentials })).result).toBe(true);
		expect((await harness.hook(node, 'delete', { parameters: {}, credentials })).result).toBe(true);
		await expect(
			harness.hook(node, 'create', { parameters: {}, credentials: { handoffRequestApi: { headerName: 'X-Handoff-Secret', secret: '' } } }),
		).rejects.toThrow('The secret is empty in the Handoff Request API credential');
		await expect(
			harness.hook(node, 'create', { parameters: {}, credentials: { handoffRequestApi: { headerName: 'X Handoff', secret: SECRET } } }),
		).rejects.toThrow('"X Handoff" is not a valid HTTP header name');
	});

	it('tests the credential without a request: a valid header name and a long enough secret', async () => {
		const test = (data: IDataObject) =>
			node.methods.credentialTest.handoffRequestSecret.call({} as ICredentialTestFunctions, {
				id: '1',
				name: 'Landbot Webhook block secret',
				type: 'handoffRequestApi',
				data: data as never,
			});
		expect(await test({ headerName: 'X-Handoff-Secret', secret: SECRET })).toEqual({ status: 'OK', message: expect.any(String) });
		expect(await test({ headerName: 'X-Handoff-Secret', secret: 'short' })).toMatchObject({ status: 'Error', message: expect.stringMatching(/shorter than 16/) });
		expect(await test({ headerName: 'X-Handoff-Secret', secret: '' })).toMatchObject({ status: 'Error' });
		expect(await test({ headerName: 'X:Handoff', secret: SECRET })).toMatchObject({ status: 'Error', message: expect.stringMatching(/not a valid HTTP header name/) });
		// An empty name means the default header.
		expect(await test({ headerName: '', secret: SECRET })).toMatchObject({ status: 'OK' });
	});
});
