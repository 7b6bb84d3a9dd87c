import { createHash, randomBytes, timingSafeEqual } from 'crypto';
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import nock from 'nock';
import type {
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodePropertyOptions,
	INodeType,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { createHarness } from '../helpers/harness';

const API = 'https://api.toy.test';

// --- toy credentials ----------------------------------------------------------------------------

const toyApi: ICredentialType = {
	name: 'toyApi',
	displayName: 'Toy API',
	properties: [
		{ displayName: 'API Token', name: 'apiToken', type: 'string', typeOptions: { password: true }, default: '' },
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: API },
	],
	authenticate: {
		type: 'generic',
		properties: { headers: { Authorization: '=Token {{$credentials.apiToken}}' } },
	},
	test: {
		request: { baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}', url: '/me' },
	},
};

/** Login → token, as Tiledesk's email+password credential will do. */
const toyLoginApi: ICredentialType = {
	name: 'toyLoginApi',
	displayName: 'Toy Login API',
	properties: [
		{ displayName: 'Email', name: 'email', type: 'string', default: '' },
		{ displayName: 'Password', name: 'password', type: 'string', typeOptions: { password: true }, default: '' },
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: API },
		{ displayName: 'Session Token', name: 'sessionToken', type: 'hidden', typeOptions: { expirable: true }, default: '' },
	],
	async preAuthentication(this, credentials) {
		const { token } = (await this.helpers.httpRequest({
			method: 'POST',
			url: `${credentials.baseUrl as string}/login`,
			body: { email: credentials.email, password: credentials.password },
			json: true,
		})) as { token: string };
		return { sessionToken: token };
	},
	authenticate: {
		type: 'generic',
		properties: { headers: { Authorization: '=JWT {{$credentials.sessionToken}}' } },
	},
	test: { request: { baseURL: '={{$credentials.baseUrl}}', url: '/me' } },
};

// --- toy nodes ----------------------------------------------------------------------------------

class ToyAction implements INodeType {
	description: INodeType['description'] = {
		displayName: 'Toy',
		name: 'toy',
		group: ['transform'],
		version: [1, 2],
		description: 'Toy action node',
		defaults: { name: 'Toy' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [
			{ name: 'toyApi', required: true, displayOptions: { show: { authentication: ['token'] } } },
			{ name: 'toyLoginApi', required: true, displayOptions: { show: { authentication: ['login'] } } },
		],
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{ name: 'Token', value: 'token' },
					{ name: 'Login', value: 'login' },
				],
				default: 'token',
			},
			{ displayName: 'Text', name: 'text', type: 'string', default: '' },
			{ displayName: 'Channel', name: 'channel', type: 'string', default: 'general' },
			{ displayName: 'Times', name: 'times', type: 'number', default: 1 },
			{
				displayName: 'Channel ID',
				name: 'channelId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getChannels' },
				default: '',
			},
		],
	};

	methods = {
		loadOptions: {
			async getChannels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const { baseUrl } = await this.getCredentials<{ baseUrl: string }>('toyApi');
				const channels = (await this.helpers.httpRequestWithAuthentication.call(this, 'toyApi', {
					url: `${baseUrl}/channels`,
					qs: { prefix: this.getCurrentNodeParameter('channel') as string },
					json: true,
				})) as Array<{ id: number; name: string }>;
				return channels.map((channel) => ({ name: channel.name, value: channel.id }));
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const out: INodeExecutionData[] = [];
		const items = this.getInputData();
		for (let i = 0; i < items.length; i++) {
			try {
				const auth = this.getNodeParameter('authentication', i) as string;
				const credType = auth === 'login' ? 'toyLoginApi' : 'toyApi';
				const { baseUrl } = await this.getCredentials<{ baseUrl: string }>(credType, i);
				const times = this.getNodeParameter('times', i) as number;
				for (let n = 0; n < times; n++) {
					const response = (await this.helpers.httpRequestWithAuthentication.call(this, credType, {
						method: 'POST',
						url: `${baseUrl}/messages`,
						body: {
							text: this.getNodeParameter('text', i) as string,
							channel: this.getNodeParameter('channel', i) as string,
						},
						json: true,
					})) as IDataObject;
					out.push({ json: { ...response, mode: this.getMode(), version: this.getNode().typeVersion }, pairedItem: { item: i } });
				}
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				throw error;
			}
		}
		return [out];
	}
}

class ToyTrigger implements INodeType {
	description: INodeType['description'] = {
		displayName: 'Toy Trigger',
		name: 'toyTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Toy webhook trigger',
		defaults: { name: 'Toy Trigger' },
		inputs: [],
		outputs: ['main'],
		credentials: [{ name: 'toyApi', required: true }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [{ displayName: 'Event', name: 'event', type: 'string', default: 'message' }],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const data = this.getWorkflowStaticData('node');
				return data.hookId !== undefined;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const { baseUrl } = await this.getCredentials<{ baseUrl: string }>('toyApi');
				const secret = randomBytes(16).toString('hex');
				const { id } = (await this.helpers.httpRequestWithAuthentication.call(this, 'toyApi', {
					method: 'POST',
					url: `${baseUrl}/hooks`,
					body: { url: this.getNodeWebhookUrl('default'), event: this.getNodeParameter('event'), secret },
					json: true,
				})) as { id: string };
				const data = this.getWorkflowStaticData('node');
				data.hookId = id;
				data.secret = secret;
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				const { baseUrl } = await this.getCredentials<{ baseUrl: string }>('toyApi');
				const data = this.getWorkflowStaticData('node');
				await this.helpers.httpRequestWithAuthentication.call(this, 'toyApi', {
					method: 'DELETE',
					url: `${baseUrl}/hooks/${data.hookId as string}`,
				});
				delete data.hookId;
				delete data.secret;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const secret = String(this.getWorkflowStaticData('node').secret ?? '');
		const given = String(req.headers['x-toy-secret'] ?? '');
		const digest = (s: string) => createHash('sha256').update(s).digest();
		if (!secret || !timingSafeEqual(digest(given), digest(secret))) {
			this.getResponseObject().status(401).send('Unauthorized').end();
			return { noWebhookResponse: true };
		}
		return {
			workflowData: [
				[{ json: { body: req.body, raw: (req.rawBody as Buffer).toString('utf8'), query: req.query, event: this.getNodeParameter('event') } }],
			],
		};
	}
}

// --- tests --------------------------------------------------------------------------------------

const harness = createHarness({ credentialTypes: [toyApi, toyLoginApi] });
const toy = new ToyAction();
const trigger = new ToyTrigger();
const creds = { toyApi: { apiToken: 'secret-token' } };

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
	const pending = nock.pendingMocks();
	nock.cleanAll();
	expect(pending).toEqual([]);
});
afterAll(() => {
	nock.enableNetConnect();
	nock.restore(); // see test/helpers/nock.ts
});

describe('execute', () => {
	it('sends the generic Authorization header, fills defaults and resolves expressions', async () => {
		let seenBody: unknown;
		nock(API, { reqheaders: { authorization: 'Token secret-token' } })
			.post('/messages', (body) => {
				seenBody = body;
				return true;
			})
			.reply(200, { id: 'm1' });

		const out = await harness.execute(toy, {
			parameters: { text: '=Hello {{ $json.name }}' },
			credentials: creds,
			items: [{ json: { name: 'Ada' } }],
		});

		// channel came from the description default, text from an expression over the input item
		expect(seenBody).toEqual({ text: 'Hello Ada', channel: 'general' });
		expect(out).toEqual([[{ json: { id: 'm1', mode: 'trigger', version: 2 }, pairedItem: { item: 0 } }]]);
	});

	it('honours typeVersion', async () => {
		nock(API).post('/messages').reply(200, { id: 'm1' });
		const out = await harness.execute(toy, { parameters: { text: 'x' }, credentials: creds, typeVersion: 1 });
		expect(out[0][0].json.version).toBe(1);
	});

	it('fails with NodeApiError on a non-2xx answer, and continueOnFail turns it into an item', async () => {
		nock(API).post('/messages').reply(500, { error: 'boom' });
		const failure = harness.execute(toy, { parameters: { text: 'x' }, credentials: creds });
		await expect(failure).rejects.toBeInstanceOf(NodeApiError);

		nock(API).post('/messages').reply(500, { error: 'boom' });
		const out = await harness.execute(toy, { parameters: { text: 'x' }, credentials: creds, continueOnFail: true });
		expect(out[0][0].json.error).toEqual(expect.any(String));
		expect(out[0][0].pairedItem).toEqual({ item: 0 });
	});

	it('refuses credentials the node does not declare for the chosen authentication', async () => {
		await expect(harness.execute(toy, { parameters: { text: 'x' }, credentials: {} })).rejects.toThrow(
			/credentials/i,
		);
	});
});

describe('preAuthentication (login → token)', () => {
	const loginCreds = { toyLoginApi: { email: 'a@b.c', password: 'pw' } };

	it('logs in once, then uses the token for every request', async () => {
		nock(API).post('/login', { email: 'a@b.c', password: 'pw' }).once().reply(200, { token: 'jwt-1' });
		nock(API, { reqheaders: { authorization: 'JWT jwt-1' } })
			.post('/messages')
			.times(2)
			.reply(200, { id: 'm' });

		const out = await harness.execute(toy, {
			parameters: { authentication: 'login', text: 'x', times: 2 },
			credentials: loginCreds,
		});
		expect(out[0]).toHaveLength(2);
		// the caller's fixture is not mutated
		expect(loginCreds.toyLoginApi).toEqual({ email: 'a@b.c', password: 'pw' });
	});

	it('logs in again and retries once when the token is rejected with 401', async () => {
		nock(API).post('/login').reply(200, { token: 'fresh' });
		nock(API, { reqheaders: { authorization: 'JWT stale' } }).post('/messages').reply(401, { error: 'expired' });
		nock(API, { reqheaders: { authorization: 'JWT fresh' } }).post('/messages').reply(200, { id: 'm' });

		const out = await harness.execute(toy, {
			parameters: { authentication: 'login', text: 'x' },
			credentials: { toyLoginApi: { ...loginCreds.toyLoginApi, sessionToken: 'stale' } },
		});
		expect(out[0][0].json.id).toBe('m');
	});
});

describe('real HTTP to a local server (how the platform simulators will be used)', () => {
	let server: Server;
	let base = '';
	const seen: Array<{ url?: string; authorization?: string }> = [];

	beforeAll(async () => {
		nock.enableNetConnect('127.0.0.1');
		server = createServer((req, res) => {
			seen.push({ url: req.url, authorization: req.headers.authorization });
			res.setHeader('content-type', 'application/json');
			res.end(JSON.stringify({ id: 'local' }));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		await new Promise((resolve) => server.close(resolve));
		nock.disableNetConnect();
	});

	it('sends the authenticated request over the network', async () => {
		const logs: string[] = [];
		const node: INodeType = {
			description: { ...new ToyAction().description, name: 'probeLocal' },
			async execute(this: IExecuteFunctions) {
				this.logger.debug('calling the local server'); // the DI Logger works in contexts
				logs.push('ok');
				return await ToyAction.prototype.execute.call(this);
			},
		};
		const out = await harness.execute(node, {
			parameters: { text: 'hi' },
			credentials: { toyApi: { apiToken: 'local-token', baseUrl: base } },
		});
		expect(out[0][0].json.id).toBe('local');
		expect(seen).toEqual([{ url: '/messages', authorization: 'Token local-token' }]);
		expect(logs).toEqual(['ok']);
	});
});

describe('hooks and webhook', () => {
	it('round-trips static data from create → webhook → delete', async () => {
		const staticData: IDataObject = {};
		let registered: IDataObject = {};
		nock(API, { reqheaders: { authorization: 'Token secret-token' } })
			.post('/hooks', (body) => {
				registered = body;
				return true;
			})
			.reply(201, { id: 'hook-1' });

		expect((await harness.hook(trigger, 'checkExists', { parameters: {}, credentials: creds, staticData })).result).toBe(false);
		const created = await harness.hook(trigger, 'create', {
			parameters: {},
			credentials: creds,
			staticData,
			webhookUrl: 'https://n8n.example/webhook/abc',
		});
		expect(created.result).toBe(true);
		expect(registered).toEqual({ url: 'https://n8n.example/webhook/abc', event: 'message', secret: staticData.secret });
		expect(staticData.hookId).toBe('hook-1');
		expect(created.staticData).toBe(staticData);
		expect((await harness.hook(trigger, 'checkExists', { parameters: {}, credentials: creds, staticData })).result).toBe(true);

		const ok = await harness.webhook(trigger, {
			parameters: { event: '=msg-{{ $json.query.kind }}' },
			credentials: creds,
			staticData,
			request: { headers: { 'X-Toy-Secret': staticData.secret as string }, body: { hello: 'world' }, query: { kind: 'text' } },
		});
		expect(ok.http).toEqual(expect.objectContaining({ statusCode: undefined, ended: false }));
		expect(ok.response.workflowData?.[0][0].json).toEqual({
			body: { hello: 'world' },
			raw: '{"hello":"world"}',
			query: { kind: 'text' },
			event: 'msg-text',
		});

		nock(API).delete('/hooks/hook-1').reply(204);
		await harness.hook(trigger, 'delete', { parameters: {}, credentials: creds, staticData });
		expect(staticData).toEqual({});
	});

	it('uses the default webhook URL', async () => {
		nock(API)
			.post('/hooks', (body) => body.url === 'http://localhost:5678/webhook/test-hook')
			.reply(201, { id: 'h' });
		await harness.hook(trigger, 'create', { parameters: {}, credentials: creds });
	});

	it('answers 401 to a wrong secret without starting the workflow', async () => {
		const { response, http } = await harness.webhook(trigger, {
			parameters: {},
			staticData: { secret: 's3cret' },
			request: { headers: { 'x-toy-secret': 'nope' }, body: {} },
		});
		expect(response).toEqual({ noWebhookResponse: true });
		expect(http).toEqual(expect.objectContaining({ statusCode: 401, body: 'Unauthorized', ended: true }));
	});
});

describe('loadOptions', () => {
	it('calls the method with credentials and current parameters', async () => {
		nock(API, { reqheaders: { authorization: 'Token secret-token' } })
			.get('/channels')
			.query({ prefix: 'sup' })
			.reply(200, [{ id: 7, name: 'support' }]);
		const options = await harness.loadOptions(toy, 'getChannels', {
			parameters: {},
			currentNodeParameters: { channel: 'sup' },
			credentials: creds,
		});
		expect(options).toEqual([{ name: 'support', value: 7 }]);
	});
});

describe('testCredential', () => {
	it('reports OK when the test request succeeds with the auth header', async () => {
		nock('https://self-hosted.toy.test', { reqheaders: { authorization: 'Token good' } }).get('/me').reply(200, { id: 1 });
		expect(await harness.testCredential('toyApi', { apiToken: 'good', baseUrl: 'https://self-hosted.toy.test/' })).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
	});

	it('reports Error with the status on non-2xx', async () => {
		// n8n retries every 401 once (after re-running preAuthentication), so the server sees two calls.
		nock(API).get('/me').times(2).reply(401, { error: 'bad token' });
		const result = await harness.testCredential('toyApi', { apiToken: 'bad' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/401|Unauthorized/);
	});

	it('logs in first for a preAuthentication credential', async () => {
		nock(API).post('/login').reply(200, { token: 't' });
		nock(API, { reqheaders: { authorization: 'JWT t' } }).get('/me').reply(200, {});
		expect((await harness.testCredential('toyLoginApi', { email: 'a', password: 'b' })).status).toBe('OK');
	});
});

describe('httpRequestWithAuthentication error shapes (documentation for node authors)', () => {
	const call = async (options: Partial<IHttpRequestOptions>) => {
		const node: INodeType = {
			description: { ...new ToyAction().description, name: 'probe' },
			async execute(this: IExecuteFunctions) {
				const res = await this.helpers.httpRequestWithAuthentication.call(this, 'toyApi', {
					url: `${API}/x`,
					json: true,
					...options,
				} as IHttpRequestOptions);
				return [[{ json: { res } as IDataObject }]];
			},
		};
		return (await harness.execute(node, { parameters: {}, credentials: creds }))[0][0].json.res;
	};

	it('throws NodeApiError carrying httpCode and the response body', async () => {
		nock(API).get('/x').reply(429, { message: 'slow down' }, { 'Retry-After': '2' });
		const error = await call({}).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		const apiError = error as NodeApiError & { cause: { response?: { status: number; headers: IDataObject } } };
		// n8n replaces the message with a generic text per status; the platform's text lands in description.
		expect(apiError.message).toBe('The service is receiving too many requests from you');
		expect(apiError.description).toBe('slow down');
		expect(apiError.httpCode).toBe('429');
		expect(apiError.cause.response?.status).toBe(429);
		expect(apiError.cause.response?.headers['retry-after']).toBe('2');
	});

	it('returns status, headers and body with ignoreHttpStatusErrors + returnFullResponse', async () => {
		nock(API).get('/x').reply(503, { message: 'down' }, { 'Retry-After': '1' });
		const res = (await call({ ignoreHttpStatusErrors: true, returnFullResponse: true })) as IDataObject;
		expect(res.statusCode).toBe(503);
		expect((res.headers as IDataObject)['retry-after']).toBe('1');
		expect(res.body).toEqual({ message: 'down' });
	});

	it('retries a 401 once for every credential type, even without preAuthentication', async () => {
		nock(API).get('/x').times(2).reply(401, { message: 'who?' });
		const error = (await call({}).catch((e: unknown) => e)) as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('401');
	});

	it('returns just the body with ignoreHttpStatusErrors alone', async () => {
		nock(API).get('/x').reply(404, { message: 'nope' });
		expect(await call({ ignoreHttpStatusErrors: true })).toEqual({ message: 'nope' });
	});
});
