/**
 * The Salesforce Live Agent node's requests (method, path, the four Live Agent headers, body) and
 * outputs, on nock; the long poll's 204 / 409 / 403 handling; the credential.
 */
import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { SalesforceLiveAgentApi } from '../../../credentials/SalesforceLiveAgentApi.credentials';
import { HANDOFF_EVENT_NAMES } from '../../../nodes/shared';
import { SalesforceLiveAgent } from '../../../nodes/SalesforceLiveAgent/SalesforceLiveAgent.node';
import type { LiveAgentSession } from '../../../nodes/SalesforceLiveAgent/session';
import { decodeMessages } from '../../../nodes/SalesforceLiveAgent/session';
import { chatApiBaseUrl } from '../../../nodes/SalesforceLiveAgent/transport';
import { expectHandoffEvent } from '../../helpers/contract';
import { createHarness } from '../../helpers/harness';
import { useNock } from '../../helpers/nock';
import messagesFixture from '../../fixtures/salesforce/messages-established.json';
import queuedFixture from '../../fixtures/salesforce/messages-queued.json';
import sessionFixture from '../../fixtures/salesforce/session-id.json';

const HOST = 'https://d.la1-c1-ia2.salesforceliveagent.com';
const ORG = '00D5e000000AbCd';
const DEPLOYMENT = '5725e000000AbCd';
const BUTTON = '5735e000000AbCd';
const credentials = {
	salesforceLiveAgentApi: {
		chatApiEndpoint: 'd.la1-c1-ia2.salesforceliveagent.com',
		apiVersion: '56',
		organizationId: ORG,
		deploymentId: DEPLOYMENT,
		buttonId: BUTTON,
	},
};
const harness = createHarness({ credentialTypes: [new SalesforceLiveAgentApi()] });
const node = new SalesforceLiveAgent();

/** A session as Create Session outputs it, after `posts` POSTs. */
function session(overrides: IDataObject = {}): IDataObject {
	return {
		id: sessionFixture.id,
		key: sessionFixture.key,
		affinityToken: sessionFixture.affinityToken,
		sequence: 1,
		ack: -1,
		clientPollTimeout: 40,
		established: false,
		chatEnded: false,
		agent: null,
		...overrides,
	};
}

const sessionHeaders = (s: IDataObject) => ({
	'x-liveagent-api-version': '56',
	'x-liveagent-affinity': String(s.affinityToken),
	'x-liveagent-session-key': String(s.key),
});
const postHeaders = (s: IDataObject) => ({ ...sessionHeaders(s), 'x-liveagent-sequence': String(s.sequence) });

function liveAgent(reqheaders: Record<string, string> = { 'x-liveagent-api-version': '56' }) {
	return nock(HOST, { reqheaders });
}

async function run(
	parameters: Record<string, unknown>,
	extra: { items?: IDataObject[]; continueOnFail?: boolean; typeVersion?: number } = {},
) {
	const [output] = await harness.execute(node, {
		parameters: parameters as never,
		credentials,
		typeVersion: extra.typeVersion,
		items: (extra.items ?? [{}]).map((json) => ({ json })),
		continueOnFail: extra.continueOnFail,
	});
	return output;
}

useNock();

describe('Salesforce Live Agent node: Create Session', () => {
	it('GETs System/SessionId with the API version and the literal null affinity, and outputs the session', async () => {
		liveAgent({ 'x-liveagent-api-version': '56', 'x-liveagent-affinity': 'null' })
			.get('/chat/rest/System/SessionId')
			.reply(200, sessionFixture);
		const out = await run({ resource: 'chat', operation: 'createSession' });
		expect(out).toEqual([
			{
				json: {
					session: session(),
					sessionId: sessionFixture.id,
					clientPollTimeout: 40,
					established: false,
					chatEnded: false,
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	it('sends no session key or sequence on the first call', async () => {
		let headers: Record<string, unknown> = {};
		liveAgent()
			.get('/chat/rest/System/SessionId')
			.reply(function () {
				headers = this.req.headers;
				return [200, sessionFixture];
			});
		await run({ resource: 'chat', operation: 'createSession' });
		expect(headers).not.toHaveProperty('x-liveagent-session-key');
		expect(headers).not.toHaveProperty('x-liveagent-sequence');
	});

	it('fails clearly when the server answers without a key', async () => {
		liveAgent().get('/chat/rest/System/SessionId').reply(200, { id: 'x', affinityToken: 'y' });
		const error = await run({ resource: 'chat', operation: 'createSession' }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/without a session key/);
	});
});

describe('Salesforce Live Agent node: Start Chat', () => {
	it('POSTs ChasitorInit with all four headers (sequence 1), the ids, the visitor and the bot transcript', async () => {
		const s = session();
		let sent: IDataObject = {};
		liveAgent(postHeaders(s))
			.post('/chat/rest/Chasitor/ChasitorInit', (body) => {
				sent = body;
				return true;
			})
			.reply(200, 'OK', { 'Content-Type': 'text/plain' });
		const out = await run(
			{
				resource: 'chat',
				operation: 'startChat',
				visitorName: 'Ada',
				transcript: '={{ $json.transcript }}',
				prechatDetails: { detail: [{ label: 'E-mail Address', value: 'ada@example.com', transcriptFields: 'Email__c, Other__c' }] },
				options: { transcriptField: 'Bot_Transcript__c' },
			},
			{
				items: [
					{
						session: s,
						transcript: [
							{ author: { role: 'customer', name: 'Ada' }, message: { type: 'text', text: 'Where is my parcel?' } },
							{ role: 'bot', text: 'Let me find a human.' },
							'Plain line',
						],
					},
				],
			},
		);
		expect(sent).toEqual({
			organizationId: ORG,
			deploymentId: DEPLOYMENT,
			buttonId: BUTTON,
			sessionId: sessionFixture.id,
			userAgent: 'n8n-nodes-handoff',
			language: 'en-US',
			screenResolution: '',
			visitorName: 'Ada',
			prechatDetails: [
				{
					label: 'E-mail Address',
					value: 'ada@example.com',
					transcriptFields: ['Email__c', 'Other__c'],
					displayToAgent: true,
					entityMaps: [],
				},
				{
					label: 'Bot Transcript',
					value: 'Ada (customer): Where is my parcel?\nBot: Let me find a human.\nPlain line',
					transcriptFields: ['Bot_Transcript__c'],
					displayToAgent: true,
					entityMaps: [],
				},
			],
			prechatEntities: [],
			receiveQueueUpdates: true,
			isPost: true,
		});
		expect(out[0].json).toEqual({
			session: session({ sequence: 2 }),
			chatRequested: true,
			established: false,
			chatEnded: false,
			visitorName: 'Ada',
			buttonId: BUTTON,
		});
	});

	it('takes the button, language and pre-chat entities from the options and leaves out an empty transcript', async () => {
		const s = session({ sequence: 4 });
		const entities = [{ entityName: 'Contact', saveToTranscript: 'ContactId', entityFieldsMaps: [] }];
		liveAgent(postHeaders(s))
			.post('/chat/rest/Chasitor/ChasitorInit', (body) =>
				body.buttonId === '573OTHER' && body.language === 'fr-FR' && body.prechatDetails.length === 0 &&
				JSON.stringify(body.prechatEntities) === JSON.stringify(entities) && body.receiveQueueUpdates === false,
			)
			.reply(200, 'OK');
		const out = await run(
			{
				resource: 'chat',
				operation: 'startChat',
				visitorName: 'Ada',
				options: { buttonId: '573OTHER', language: 'fr-FR', prechatEntities: JSON.stringify(entities), receiveQueueUpdates: false },
			},
			{ items: [{ session: s }] },
		);
		expect((out[0].json.session as IDataObject).sequence).toBe(5);
	});

	it('refuses a missing session or visitor name before calling Salesforce', async () => {
		const error = await run({ resource: 'chat', operation: 'startChat', visitorName: 'Ada' }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('"Session" is missing: it must be an object');
		await expect(
			run({ resource: 'chat', operation: 'startChat', visitorName: ' ' }, { items: [{ session: session() }] }),
		).rejects.toThrow('"Visitor Name" is empty');
		await expect(
			run({ resource: 'chat', operation: 'startChat', visitorName: 'Ada' }, { items: [{ session: session({ sequence: 0 }) }] }),
		).rejects.toThrow(/no valid sequence/);
	});

	it('never puts the session key in a parameter error', async () => {
		const error = await run(
			{ resource: 'chat', operation: 'startChat', visitorName: 'Ada' },
			{ items: [{ session: session({ affinityToken: '' }) }] },
		).catch((e) => e);
		expect(error.message).toBe('"Session" has no affinityToken');
		expect(JSON.stringify({ message: error.message, description: error.description })).not.toContain(sessionFixture.key);
	});
});

describe('Salesforce Live Agent node: Send Message', () => {
	it('POSTs ChatMessage with the session\'s sequence and hands back the next one', async () => {
		const s = session({ sequence: 2, ack: 3, established: true });
		liveAgent(postHeaders(s)).post('/chat/rest/Chasitor/ChatMessage', { text: 'Hello' }).reply(200, 'OK');
		const out = await run({ resource: 'chat', operation: 'sendMessage', text: 'Hello' }, { items: [{ session: s }] });
		expect(out[0].json).toEqual({
			session: { ...s, sequence: 3 },
			sent: true,
			text: 'Hello',
			sequence: 2,
			established: true,
			chatEnded: false,
		});
	});

	it('sends each item with its own session and sequence, in order', async () => {
		const seen: string[] = [];
		for (const sequence of [5, 9]) {
			liveAgent(postHeaders(session({ sequence })))
				.post('/chat/rest/Chasitor/ChatMessage')
				.reply(200, function () {
					seen.push(String(this.req.headers['x-liveagent-sequence']));
					return 'OK';
				});
		}
		const out = await run(
			{ resource: 'chat', operation: 'sendMessage', text: '={{ $json.text }}' },
			{ items: [{ session: session({ sequence: 5 }), text: 'a' }, { session: session({ sequence: 9 }), text: 'b' }] },
		);
		expect(seen).toEqual(['5', '9']);
		expect(out.map((item) => (item.json.session as IDataObject).sequence)).toEqual([6, 10]);
	});

	it('turns an event message with a file into text with its link', async () => {
		const s = session({ sequence: 2 });
		liveAgent(postHeaders(s))
			.post('/chat/rest/Chasitor/ChatMessage', { text: 'Invoice\nhttps://cdn.example.com/invoice.pdf' })
			.reply(200, 'OK');
		await run(
			{ resource: 'chat', operation: 'sendMessage', text: '={{ $json.message }}' },
			{ items: [{ session: s, message: { type: 'file', text: 'Invoice', url: 'https://cdn.example.com/invoice.pdf' } }] },
		);
	});

	it('retries a 503 with the same sequence, so the server can drop a duplicate', async () => {
		const s = session({ sequence: 7 });
		liveAgent(postHeaders(s)).post('/chat/rest/Chasitor/ChatMessage').reply(503, 'busy');
		liveAgent(postHeaders(s)).post('/chat/rest/Chasitor/ChatMessage').reply(200, 'OK');
		const out = await run({ resource: 'chat', operation: 'sendMessage', text: 'Hi' }, { items: [{ session: s }] });
		expect((out[0].json.session as IDataObject).sequence).toBe(8);
	}, 10_000);

	it('a 403 is a clear "session ended" error, and the key is not in it', async () => {
		const s = session({ sequence: 2 });
		liveAgent(postHeaders(s)).post('/chat/rest/Chasitor/ChatMessage').reply(403, 'Forbidden');
		const error = await run({ resource: 'chat', operation: 'sendMessage', text: 'Hi' }, { items: [{ session: s }] }).catch(
			(e) => e,
		);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/^Live Agent session ended \(403\)/);
		expect(error.httpCode).toBe('403');
		expect(`${error.message} ${error.description}`).not.toContain(sessionFixture.key);
	});

	it('refuses an empty text', async () => {
		await expect(
			run({ resource: 'chat', operation: 'sendMessage', text: '  ' }, { items: [{ session: session() }] }),
		).rejects.toThrow('"Text" is empty');
	});

	it('with Continue On Fail, a failing item yields its error and the others go on', async () => {
		liveAgent(postHeaders(session({ sequence: 2 }))).post('/chat/rest/Chasitor/ChatMessage').reply(200, 'OK');
		const out = await run(
			{ resource: 'chat', operation: 'sendMessage', text: 'Hi' },
			{ items: [{ session: 'not json' }, { session: session({ sequence: 2 }) }], continueOnFail: true },
		);
		expect(out[0]).toMatchObject({ json: { error: '"Session" is missing: it must be an object' }, pairedItem: { item: 0 } });
		expect(out[1]).toMatchObject({ json: { sent: true }, pairedItem: { item: 1 } });
	});
});

describe('Salesforce Live Agent node: Get Messages', () => {
	it('long-polls Messages with the ack, decodes the messages and carries the new ack in the session (version 1 names)', async () => {
		const s = session({ sequence: 2, ack: 1 });
		liveAgent(sessionHeaders(s)).get('/chat/rest/System/Messages').query({ ack: '1' }).reply(200, messagesFixture);
		const [item] = await run({ resource: 'chat', operation: 'getMessages' }, { items: [{ session: s }], typeVersion: 1 });
		const json = item.json as IDataObject;
		expect(json.ack).toBe(messagesFixture.sequence);
		expect(json.session).toEqual({
			...s,
			ack: messagesFixture.sequence,
			established: true,
			agent: { name: 'Agent Smith', userId: '0055e000001AgEnT' },
		});
		expect(json).toMatchObject({
			established: true,
			chatEnded: false,
			agentMessages: ['Hi Ada, I am Agent Smith.', 'How can I help?'],
			agent: { name: 'Agent Smith', userId: '0055e000001AgEnT' },
		});
		const messages = json.messages as IDataObject[];
		expect(messages.map((m) => [m.type, m.event])).toEqual([
			['ChatEstablished', 'chatEstablished'],
			['AgentTyping', 'agentTyping'],
			['ChatMessage', 'agentMessage'],
			['AgentNotTyping', 'agentNotTyping'],
			['ChatMessage', 'agentMessage'],
		]);
		// A ChatMessage in the package's event shape.
		expect(messages[2]).toEqual({
			type: 'ChatMessage',
			event: 'agentMessage',
			platform: 'salesforceLiveAgent',
			conversationId: sessionFixture.id,
			customerId: null,
			author: { role: 'agent', id: '0055e000001AgEnT', name: 'Agent Smith' },
			message: { type: 'text', text: 'Hi Ada, I am Agent Smith.' },
			timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			raw: messagesFixture.messages[2],
		});
		expect(messages[0]).toMatchObject({ author: { role: 'agent', name: 'Agent Smith' }, message: null });
	});

	it('the first poll sends ack=-1 and reports the queue position (version 1 names)', async () => {
		const s = session({ sequence: 2 });
		liveAgent(sessionHeaders(s)).get('/chat/rest/System/Messages').query({ ack: '-1' }).reply(200, queuedFixture);
		const [item] = await run({ resource: 'chat', operation: 'getMessages' }, { items: [{ session: s }], typeVersion: 1 });
		expect(item.json).toMatchObject({
			ack: 1,
			queuePosition: 3,
			estimatedWaitTime: 120,
			established: false,
			chatEnded: false,
			agentMessages: [],
			messages: [{ type: 'ChatRequestSuccess', event: 'chatRequested', author: { role: 'system' } }],
		});
	});

	it('version 2 (the default): the package\'s event names, Salesforce\'s type beside', async () => {
		const s = session({ sequence: 2, ack: 1 });
		liveAgent(sessionHeaders(s)).get('/chat/rest/System/Messages').query({ ack: '1' }).reply(200, messagesFixture);
		const [item] = await run({ resource: 'chat', operation: 'getMessages' }, { items: [{ session: s }] });
		const json = item.json as IDataObject;
		expect(json).toMatchObject({ ack: messagesFixture.sequence, established: true, agentMessages: ['Hi Ada, I am Agent Smith.', 'How can I help?'] });
		const messages = json.messages as IDataObject[];
		messages.forEach(expectHandoffEvent);
		expect(messages.map((m) => [m.type, m.event])).toEqual([
			['ChatEstablished', 'agentAssigned'],
			['AgentTyping', 'conversationUpdated'],
			['ChatMessage', 'message'],
			['AgentNotTyping', 'conversationUpdated'],
			['ChatMessage', 'message'],
		]);
		expect(messages[2]).toEqual({
			type: 'ChatMessage',
			event: 'message',
			platform: 'salesforceLiveAgent',
			conversationId: sessionFixture.id,
			customerId: null,
			author: { role: 'agent', id: '0055e000001AgEnT', name: 'Agent Smith' },
			message: { type: 'text', text: 'Hi Ada, I am Agent Smith.' },
			timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			raw: messagesFixture.messages[2],
		});

		liveAgent(sessionHeaders(s)).get('/chat/rest/System/Messages').query({ ack: '-1' }).reply(200, queuedFixture);
		const [queued] = await run({ resource: 'chat', operation: 'getMessages' }, { items: [{ session: session({ sequence: 2 }) }] });
		expect(queued.json).toMatchObject({
			messages: [{ type: 'ChatRequestSuccess', event: 'conversationCreated', platform: 'salesforceLiveAgent', author: { role: 'system' } }],
		});
	});

	it('sends no sequence header: polls are not POSTs', async () => {
		let headers: Record<string, unknown> = {};
		const s = session();
		liveAgent(sessionHeaders(s))
			.get('/chat/rest/System/Messages')
			.query(true)
			.reply(function () {
				headers = this.req.headers;
				return [204];
			});
		await run({ resource: 'chat', operation: 'getMessages' }, { items: [{ session: s }] });
		expect(headers).not.toHaveProperty('x-liveagent-sequence');
	});

	it('204: no messages and the ack unchanged', async () => {
		const s = session({ sequence: 3, ack: 4, established: true });
		liveAgent(sessionHeaders(s)).get('/chat/rest/System/Messages').query({ ack: '4' }).reply(204);
		const [item] = await run({ resource: 'chat', operation: 'getMessages' }, { items: [{ session: s }] });
		expect(item.json).toEqual({
			session: s,
			ack: 4,
			messages: [],
			agentMessages: [],
			established: true,
			chatEnded: false,
			agent: null,
		});
	});

	it('409: polls again once with the same ack', async () => {
		const s = session({ ack: 2 });
		liveAgent(sessionHeaders(s)).get('/chat/rest/System/Messages').query({ ack: '2' }).reply(409, 'Conflict');
		liveAgent(sessionHeaders(s)).get('/chat/rest/System/Messages').query({ ack: '2' }).reply(200, queuedFixture);
		const [item] = await run({ resource: 'chat', operation: 'getMessages' }, { items: [{ session: s }] });
		expect(item.json.ack).toBe(1);
	});

	it('409 twice is an error naming the call', async () => {
		const s = session({ ack: 2 });
		liveAgent(sessionHeaders(s)).get('/chat/rest/System/Messages').query({ ack: '2' }).times(2).reply(409, 'Conflict');
		const error = await run({ resource: 'chat', operation: 'getMessages' }, { items: [{ session: s }] }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Salesforce Live Agent refused "get messages" (409): Conflict');
	});

	it('403: "session ended" error by default', async () => {
		const s = session({ ack: 5 });
		liveAgent(sessionHeaders(s)).get('/chat/rest/System/Messages').query({ ack: '5' }).reply(403);
		const error = await run({ resource: 'chat', operation: 'getMessages' }, { items: [{ session: s }] }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/^Live Agent session ended \(403\): "get messages"/);
		expect(error.description).toMatch(/Return Ended Instead of Failing/);
	});

	it('403 with "Return Ended Instead of Failing": an item with ended and chatEnded', async () => {
		const s = session({ ack: 5, established: true });
		liveAgent(sessionHeaders(s)).get('/chat/rest/System/Messages').query({ ack: '5' }).reply(403);
		const [item] = await run(
			{ resource: 'chat', operation: 'getMessages', options: { returnEnded: true } },
			{ items: [{ session: s }] },
		);
		expect(item.json).toEqual({
			session: { ...s, chatEnded: true },
			ack: 5,
			messages: [],
			agentMessages: [],
			established: true,
			chatEnded: true,
			agent: null,
			ended: true,
			endReason: 'session ended (403)',
		});
	});

	it('ChatEnded and ChatRequestFail end the chat', async () => {
		const s = session({ ack: 6, established: true });
		liveAgent(sessionHeaders(s))
			.get('/chat/rest/System/Messages')
			.query({ ack: '6' })
			.reply(200, { messages: [{ type: 'ChatEnded', message: { reason: 'agent' } }], sequence: 7 });
		const [ended] = await run({ resource: 'chat', operation: 'getMessages' }, { items: [{ session: s }] });
		expect(ended.json).toMatchObject({ chatEnded: true, endReason: 'agent', ack: 7, session: { chatEnded: true, ack: 7 } });

		liveAgent(sessionHeaders(s))
			.get('/chat/rest/System/Messages')
			.query({ ack: '6' })
			.reply(200, { messages: [{ type: 'ChatRequestFail', message: { reason: 'Unavailable', postChatUrl: '' } }], sequence: 7 });
		const [failed] = await run({ resource: 'chat', operation: 'getMessages' }, { items: [{ session: s }] });
		expect(failed.json).toMatchObject({ chatEnded: true, requestFailed: 'Unavailable', endReason: 'request failed: Unavailable' });
	});

	it('times the poll by clientPollTimeout (plus 5 s), not callApi\'s 30 s, and polls again after a timeout', async () => {
		// clientPollTimeout 1 s → a 6 s timeout: the first answer (after 7 s) is given up, the poll made again.
		const s = session({ clientPollTimeout: 1 });
		liveAgent(sessionHeaders(s))
			.get('/chat/rest/System/Messages')
			.query({ ack: '-1' })
			.delay(7000)
			.reply(200, { messages: [{ type: 'QueueUpdate', message: { position: 9 } }], sequence: 1 });
		liveAgent(sessionHeaders(s)).get('/chat/rest/System/Messages').query({ ack: '-1' }).reply(200, queuedFixture);
		const started = Date.now();
		const [item] = await run({ resource: 'chat', operation: 'getMessages' }, { items: [{ session: s }] });
		expect(item.json.queuePosition).toBe(3);
		expect(Date.now() - started).toBeGreaterThanOrEqual(5900);
	}, 20_000);
});

describe('Salesforce Live Agent node: End Chat', () => {
	it('POSTs ChatEnd {reason: client} with the sequence, then DELETEs the session', async () => {
		const s = session({ sequence: 6, ack: 9, established: true });
		liveAgent(postHeaders(s)).post('/chat/rest/Chasitor/ChatEnd', { reason: 'client' }).reply(200, 'OK');
		liveAgent(sessionHeaders(s))
			.delete(`/chat/rest/System/SessionId/${encodeURIComponent(sessionFixture.key)}`)
			.reply(200, 'OK');
		const [item] = await run({ resource: 'chat', operation: 'endChat' }, { items: [{ session: s }] });
		expect(item.json).toEqual({
			session: { ...s, sequence: 7, chatEnded: true },
			chatEnded: true,
			alreadyEnded: false,
			sessionEnded: true,
			established: true,
		});
	});

	it('a session already gone (403) is not an error', async () => {
		const s = session({ sequence: 6 });
		liveAgent(postHeaders(s)).post('/chat/rest/Chasitor/ChatEnd').reply(403);
		const [item] = await run({ resource: 'chat', operation: 'endChat' }, { items: [{ session: s }] });
		expect(item.json).toMatchObject({ chatEnded: true, alreadyEnded: true, sessionEnded: true });
	});

	it('can leave the session open, and a failed DELETE does not fail the chat end', async () => {
		const s = session({ sequence: 2 });
		liveAgent(postHeaders(s)).post('/chat/rest/Chasitor/ChatEnd').reply(200, 'OK');
		const [kept] = await run(
			{ resource: 'chat', operation: 'endChat', options: { endSession: false } },
			{ items: [{ session: s }] },
		);
		expect(kept.json).toMatchObject({ alreadyEnded: false, sessionEnded: false });

		liveAgent(postHeaders(s)).post('/chat/rest/Chasitor/ChatEnd').reply(200, 'OK');
		liveAgent(sessionHeaders(s)).delete(/\/chat\/rest\/System\/SessionId\/.+/).reply(500, 'oops');
		const [failed] = await run({ resource: 'chat', operation: 'endChat' }, { items: [{ session: s }] });
		expect(failed.json).toMatchObject({ chatEnded: true, sessionEnded: false });
	});
});

describe('Salesforce Live Agent credential and endpoint', () => {
	it.each([
		['d.la1-c1-ia2.salesforceliveagent.com', `${HOST}/chat/rest`],
		['https://d.la1-c1-ia2.salesforceliveagent.com/chat/rest/', `${HOST}/chat/rest`],
		['https://d.la1-c1-ia2.salesforceliveagent.com/chat', `${HOST}/chat/rest`],
		['http://127.0.0.1:4505/', 'http://127.0.0.1:4505/chat/rest'],
	])('endpoint %s → %s', (input, expected) => {
		expect(chatApiBaseUrl(input)).toBe(expected);
	});

	it('the test asks Visitor/Availability with the org, deployment and button ids and the API version', async () => {
		liveAgent()
			.get('/chat/rest/Visitor/Availability')
			.query({ org_id: ORG, deployment_id: DEPLOYMENT, 'Availability.ids': BUTTON })
			.reply(200, { messages: [{ type: 'Availability', message: { results: [{ id: BUTTON, isAvailable: true }] } }] });
		expect(await harness.testCredential('salesforceLiveAgentApi', credentials.salesforceLiveAgentApi)).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});

		nock('https://other.salesforceliveagent.com').get('/chat/rest/Visitor/Availability').query(true).reply(400, 'Invalid org_id');
		const failed = await harness.testCredential('salesforceLiveAgentApi', {
			...credentials.salesforceLiveAgentApi,
			chatApiEndpoint: 'https://other.salesforceliveagent.com/chat/rest/',
		});
		expect(failed.status).toBe('Error');
	});

	it('the node describes the legacy retirement and is usable as a tool', () => {
		const { description } = node;
		expect(description.usableAsTool).toBe(true);
		const notice = description.properties[0];
		expect(notice.type).toBe('notice');
		expect(notice.displayName).toMatch(/retired legacy Chat.*2026-02-14/);
		expect(notice.displayName).toMatch(/Enhanced Chat/);
		const sessionDefaults = description.properties.filter((p) => p.name === 'session').map((p) => p.default);
		expect(sessionDefaults).toEqual(Array(4).fill('={{ $json.session }}'));
	});
});

describe('Salesforce Live Agent: decodeMessages, versions 1 and 2', () => {
	const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
	const s = () => readSessionLike();
	function readSessionLike(): LiveAgentSession {
		return {
			id: 'sess-1',
			key: 'k',
			affinityToken: 'a',
			sequence: 2,
			ack: -1,
			clientPollTimeout: 40,
			established: false,
			chatEnded: false,
			agent: null,
		};
	}
	const entries = [
		['ChatRequestSuccess', { queuePosition: 1 }, 'conversationCreated', 'chatRequested'],
		['ChatRequestFail', { reason: 'Unavailable' }, 'conversationClosed', 'chatRequestFailed'],
		['QueueUpdate', { position: 1 }, 'conversationUpdated', 'queueUpdated'],
		['ChatEstablished', { name: 'Agent Smith', userId: '005A' }, 'agentAssigned', 'chatEstablished'],
		['ChatMessage', { name: 'Agent Smith', text: 'Hi' }, 'message', 'agentMessage'],
		['AgentTyping', {}, 'conversationUpdated', 'agentTyping'],
		['AgentNotTyping', {}, 'conversationUpdated', 'agentNotTyping'],
		['AgentDisconnect', {}, 'conversationUpdated', 'agentDisconnected'],
		['ChatTransferred', { name: 'Agent Jones', userId: '005B' }, 'conversationTransferred', 'chatTransferred'],
		['CustomEvent', { type: 'x', data: 'y' }, 'conversationUpdated', 'customEvent'],
		['ChasitorIdleTimeoutWarningEvent', { idleTimeoutWarningEvent: 'set' }, 'conversationUpdated', 'idleTimeoutWarning'],
		['ChasitorSessionData', {}, 'conversationUpdated', 'sessionData'],
		['ChatEnded', { reason: 'agent' }, 'conversationClosed', 'chatEnded'],
		['SomethingNew', {}, 'conversationUpdated', 'somethingNew'],
	] as const;
	const body = entries.map(([type, message]) => ({ type, message }));

	it('version 2 maps every Salesforce message type onto the vocabulary, keeping `type` beside', () => {
		const { events } = decodeMessages(clone(body), s(), 2);
		expect(events.map((event) => [event.type, event.event])).toEqual(entries.map(([type, , v2]) => [type, v2]));
		for (const event of events) {
			expectHandoffEvent(event);
			expect(HANDOFF_EVENT_NAMES).toContain(event.event);
			expect(event.platform).toBe('salesforceLiveAgent');
			expect(event.conversationId).toBe('sess-1');
		}
	});

	it('version 1 keeps its own names', () => {
		const { events } = decodeMessages(clone(body), s(), 1);
		expect(events.map((event) => [event.type, event.event])).toEqual(entries.map(([type, , , v1]) => [type, v1]));
	});

	it('both versions are the same item but for the name, and a ChatMessage without words: stand-in in 2, empty in 1', () => {
		const empty = [{ type: 'ChatMessage', message: { name: 'Agent Smith', text: '' } }];
		const [v2] = decodeMessages(clone(empty), s(), 2).events;
		const [v1] = decodeMessages(clone(empty), s(), 1).events;
		expectHandoffEvent(v2);
		expect(v2.message).toEqual({ type: 'text', text: '[text]' });
		expect(v1.message).toEqual({ type: 'text', text: '' });
		const strip = (event: IDataObject) => ({ ...event, event: 'E', message: null, timestamp: 'T' });
		expect(strip(v1)).toEqual(strip(v2));
		// The default is version 2.
		expect(decodeMessages(clone(empty), s()).events[0].event).toBe('message');
	});
});
