import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { LandbotApi } from '../../../credentials/LandbotApi.credentials';
import { LandbotTrigger } from '../../../nodes/Landbot/LandbotTrigger.node';
import { expectHandoffEvent } from '../../helpers/contract';
import { createHarness } from '../../helpers/harness';
import { useNock } from '../../helpers/nock';
import agentText from '../../fixtures/landbot/agent-text.json';
import botText from '../../fixtures/landbot/bot-text.json';
import customerImage from '../../fixtures/landbot/customer-image.json';
import customerInterrupted from '../../fixtures/landbot/customer-interrupted.json';
import customerText from '../../fixtures/landbot/customer-text.json';
import systemUnassigned from '../../fixtures/landbot/system-unassigned.json';

const API = 'https://api.landbot.io';
const TOKEN = 'agent-token-794028';
const HOOK_URL = 'https://n8n.example.com/webhook/5f1c/webhook';
const HOOK_TOKEN = 'a'.repeat(64);
const credentials = { landbotApi: { apiToken: TOKEN, baseUrl: 'https://api.landbot.io/v1', agentId: '794028' } };
const harness = createHarness({ credentialTypes: [new LandbotApi()] });
const node = new LandbotTrigger();

const landbot = () => nock(API, { reqheaders: { authorization: `Token ${TOKEN}` } });
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function published(): IDataObject {
	return { hookId: '12', hookToken: HOOK_TOKEN, channelId: '2955840' };
}

async function deliver(
	body: unknown,
	{
		parameters = {},
		staticData = published(),
		authorization = `Token ${HOOK_TOKEN}`,
		execution,
		sentryTrace,
	}: {
		parameters?: IDataObject;
		staticData?: IDataObject;
		authorization?: string | null;
		execution?: 'success' | 'error' | 'pending';
		sentryTrace?: string;
	} = {},
) {
	const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'landbot/webhooks' };
	if (authorization !== null) headers.authorization = authorization;
	if (sentryTrace !== undefined) headers['sentry-trace'] = sentryTrace;
	const result = await harness.webhook(node, {
		parameters: { channelId: '2955840', ...parameters },
		credentials,
		staticData,
		webhookUrl: HOOK_URL,
		request: { headers, body },
		execution,
	});
	const items = (result.response.workflowData?.[0] ?? []).map((item) => item.json);
	items.forEach(expectHandoffEvent);
	return { ...result, items, staticData };
}

useNock();

describe('Landbot Trigger: publishing registers and removes the MessageHook', () => {
	it('create checks the channel type and registers a hook with a fresh 32-byte token', async () => {
		landbot().get('/v1/channels/2955840/').reply(200, { success: true, channel: { id: 2955840, type: 'landbot', name: 'Web' } });
		let sentToken = '';
		landbot()
			.post('/v1/channels/2955840/message_hooks/', (body) => {
				sentToken = body.token;
				return body.url === HOOK_URL && /^[0-9a-f]{64}$/.test(body.token) && typeof body.name === 'string';
			})
			.reply(201, { success: true, hook: { id: 12, url: HOOK_URL } });
		const { result, staticData } = await harness.hook(node, 'create', {
			parameters: { channelId: '2955840' },
			credentials,
			webhookUrl: HOOK_URL,
		});
		expect(result).toBe(true);
		expect(staticData).toMatchObject({ hookId: '12', hookToken: sentToken, channelId: '2955840' });

		// Two publishes never share a token.
		landbot().get('/v1/channels/2955840/').reply(200, { channel: { id: 2955840, type: 'landbot' } });
		landbot().post('/v1/channels/2955840/message_hooks/').reply(201, { hook: { id: 13 } });
		const second = await harness.hook(node, 'create', { parameters: { channelId: '2955840' }, credentials, webhookUrl: HOOK_URL });
		expect(second.staticData.hookToken).not.toBe(sentToken);
	});

	it('the channel is a resource locator from 1.2 on (list or ID) and a dropdown before; each registers on its channel', async () => {
		const registered: string[] = [];
		const channel = (id: string) => {
			landbot().get(`/v1/channels/${id}/`).reply(200, { channel: { id: Number(id), type: 'landbot' } });
			landbot()
				.post(`/v1/channels/${id}/message_hooks/`, () => registered.push(id) > 0)
				.reply(201, { hook: { id: 20 + registered.length } });
		};
		channel('2955840');
		channel('2955841');
		channel('2955842');
		const publish = (channelId: unknown, typeVersion: number) =>
			harness.hook(node, 'create', { parameters: { channelId } as never, credentials, webhookUrl: HOOK_URL, typeVersion });
		expect((await publish({ __rl: true, mode: 'id', value: '2955840' }, 1.2)).staticData).toMatchObject({ channelId: '2955840' });
		expect((await publish({ __rl: true, mode: 'list', value: '2955841', cachedResultName: 'Web' }, 1.2)).staticData).toMatchObject({ channelId: '2955841' });
		expect((await publish('2955842', 1.1)).staticData).toMatchObject({ channelId: '2955842' });
		expect(registered).toEqual(['2955840', '2955841', '2955842']);

		const description = (version: number) => NodeHelpers.getVersionedNodeType(node, version).description;
		const shown = (version: number) =>
			description(version).properties.filter(
				(p) => p.name === 'channelId' && NodeHelpers.displayParameter({ channelId: '' }, p, { typeVersion: version } as never, description(version)),
			);
		expect(shown(1.2).map((p) => p.type)).toEqual(['resourceLocator']);
		expect(shown(1.1).map((p) => p.type)).toEqual(['options']);
		expect(shown(1).map((p) => p.type)).toEqual(['options']);
		landbot()
			.get('/v1/channels/')
			.query({ offset: 0, limit: 100 })
			.reply(200, { total: 2, channels: [{ id: 2, name: 'WhatsApp line', type: 'whatsapp' }, { id: 1, name: 'Web', type: 'landbot' }] });
		expect(await harness.listSearch(node, 'searchChannels', { parameters: {}, credentials, filter: 'web' })).toEqual({
			results: [{ name: 'Web (landbot)', value: '1' }],
		});
	});

	it('create refuses a channel type Landbot sends no MessageHooks for, and registers nothing', async () => {
		landbot().get('/v1/channels/77/').reply(200, { channel: { id: 77, type: 'facebook', name: 'FB page' } });
		await expect(
			harness.hook(node, 'create', { parameters: { channelId: '77' }, credentials, webhookUrl: HOOK_URL }),
		).rejects.toThrow('Landbot sends MessageHooks only for web (landbot) and WhatsApp channels; channel "FB page" is of type "facebook"');
	});

	it('create refuses "assigned to the credential\'s agent" without an Agent ID in the credential', async () => {
		await expect(
			harness.hook(node, 'create', {
				parameters: { channelId: '2955840', conversations: 'assignedToMe' },
				credentials: { landbotApi: { ...credentials.landbotApi, agentId: '' } },
				webhookUrl: HOOK_URL,
			}),
		).rejects.toThrow(/needs the Agent ID set in the Landbot credential/);
	});

	it('checkExists finds our hook by URL', async () => {
		landbot().get('/v1/channels/2955840/message_hooks/').reply(200, { hooks: [{ id: 9, url: 'https://other' }, { id: 12, url: HOOK_URL }] });
		const { result } = await harness.hook(node, 'checkExists', {
			parameters: { channelId: '2955840' },
			credentials,
			webhookUrl: HOOK_URL,
			staticData: published(),
		});
		expect(result).toBe(true);
	});

	it('checkExists reports a missing hook, and replaces one whose token we no longer hold', async () => {
		landbot().get('/v1/channels/2955840/message_hooks/').reply(200, { hooks: [] });
		expect(
			(await harness.hook(node, 'checkExists', { parameters: { channelId: '2955840' }, credentials, webhookUrl: HOOK_URL, staticData: published() }))
				.result,
		).toBe(false);

		landbot().get('/v1/channels/2955840/message_hooks/').reply(200, { hooks: [{ id: 44, url: HOOK_URL }] });
		landbot().delete('/v1/channels/2955840/message_hooks/44/').reply(204);
		const stale = await harness.hook(node, 'checkExists', {
			parameters: { channelId: '2955840' },
			credentials,
			webhookUrl: HOOK_URL,
			staticData: {},
		});
		expect(stale.result).toBe(false);
	});

	it('delete removes the hook from the channel it was created on and forgets the token', async () => {
		landbot().delete('/v1/channels/2955840/message_hooks/12/').reply(204);
		const { result, staticData } = await harness.hook(node, 'delete', {
			parameters: { channelId: '999' },
			credentials,
			webhookUrl: HOOK_URL,
			staticData: published(),
		});
		expect(result).toBe(true);
		expect(staticData.hookToken).toBeUndefined();
		expect(staticData.hookId).toBeUndefined();
	});

	it('delete tolerates a hook already removed in Landbot', async () => {
		landbot().delete('/v1/channels/2955840/message_hooks/12/').reply(404, { detail: 'Not found.' });
		const { result } = await harness.hook(node, 'delete', { parameters: { channelId: '2955840' }, credentials, staticData: published() });
		expect(result).toBe(true);
	});
});

describe('Landbot Trigger: verifying deliveries', () => {
	it('answers 401 and starts nothing when the token is wrong', async () => {
		const { http, response } = await deliver(clone(customerText), { authorization: `Token ${'b'.repeat(64)}` });
		expect(http.statusCode).toBe(401);
		expect(response.workflowData).toBeUndefined();
		expect(JSON.stringify(http.body)).not.toContain(HOOK_TOKEN);
	});

	it('answers 401 when the Authorization header is missing, uses another scheme, or nothing was published', async () => {
		expect((await deliver(clone(customerText), { authorization: null })).http.statusCode).toBe(401);
		expect((await deliver(clone(customerText), { authorization: `Bearer ${HOOK_TOKEN}` })).http.statusCode).toBe(401);
		expect((await deliver(clone(customerText), { authorization: `Token ${HOOK_TOKEN}`, staticData: {} })).http.statusCode).toBe(401);
	});

	it.each([
		['not an object', 'hello', 'body must be a JSON object'],
		['no messages array', { message: {} }, 'body.messages must be an array'],
		['a message that is not an object', { messages: [42] }, 'messages[0] must be an object'],
		['no customer id', { messages: [{ sender: { type: 'customer' }, customer: {} }] }, 'messages[0].customer.id is missing'],
		['no sender type', { messages: [{ customer: { id: 1 }, sender: {} }] }, 'messages[0].sender.type is missing'],
		['a customer id that is true', { messages: [{ sender: { type: 'customer' }, customer: { id: true } }] }, 'messages[0].customer.id is not an id'],
		['a customer id that is an object', { messages: [{ sender: { type: 'customer' }, customer: { id: { id: 1 } } }] }, 'messages[0].customer.id is not an id'],
	])('answers 400 with a reason for %s', async (_, body, reason) => {
		const { http, response } = await deliver(body);
		expect(http.statusCode).toBe(400);
		expect(http.body).toEqual({ error: 'Bad Request', reason });
		expect(response.workflowData).toBeUndefined();
	});

	it('acknowledges with 200 and starts nothing when every message is filtered out', async () => {
		const { response, http } = await deliver(clone(agentText));
		expect(response.workflowData).toBeUndefined();
		expect(response.webhookResponse).toBeDefined();
		expect(http.statusCode).toBeUndefined();
	});
});

describe('Landbot Trigger: the normalized event', () => {
	it('is answered only when the relay has ended: 200 after a successful execution, 500 after a failed one', async () => {
		const done = await deliver(clone(customerText));
		expect(done.response.noWebhookResponse).toBeUndefined();
		expect(done.items).toHaveLength(1);
		expect(done.http).toMatchObject({ statusCode: 200, ended: true });
		const failed = await deliver(clone(customerText), { execution: 'error' });
		expect(failed.items).toHaveLength(1);
		expect(failed.http).toMatchObject({ statusCode: 500, ended: true });
	});

	it('turns a customer message into the package event, custom fields and raw kept', async () => {
		const { items } = await deliver(clone(customerText));
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({
			event: 'message',
			platform: 'landbot',
			conversationId: '473548616',
			customerId: '473548616',
			author: { role: 'customer', id: '473548616', name: 'Ada Lovelace' },
			message: { type: 'text', text: 'Hi, my order #1042 never arrived' },
			timestamp: '2025-05-22T19:45:10.512Z',
			handoffConversationId: 'support-group-62c3f10152dc7400352bab0d-lb-473548616',
			assignedAgentId: '794028',
			channel: { id: 2955840, type: 'landbot' },
		});
		expect((items[0].customer as IDataObject).order_number).toBe('1042');
		expect(items[0].raw).toEqual(customerText.messages[0]);
	});

	it('maps agent, bot and system senders to roles', async () => {
		const all = { parameters: { senders: ['customer', 'agent', 'bot', 'system'] } };
		expect((await deliver(clone(agentText), all)).items[0].author).toEqual({ role: 'agent', id: '794028', name: null });
		expect((await deliver(clone(botText), all)).items[0].author).toEqual({ role: 'bot', id: '1689372', name: 'Shop bot' });
		expect((await deliver(clone(systemUnassigned), all)).items[0].author).toEqual({ role: 'system', id: null, name: null });
	});

	it('takes a sender type named like an Object method for an unknown sender (system), not a role from the prototype', async () => {
		const all = { parameters: { senders: ['customer', 'agent', 'bot', 'system'] } };
		for (const type of ['constructor', 'valueOf', 'hasOwnProperty', '__proto__']) {
			const body = clone(agentText);
			body.messages[0].sender.type = type;
			const { items } = await deliver(body, all);
			expect((items[0].author as { role: string }).role).toBe('system');
		}
	});

	it('carries an image URL', async () => {
		const { items } = await deliver(clone(customerImage));
		expect(items[0].message).toEqual({
			type: 'image',
			text: 'https://storage.landbot.io/media/473548616/parcel.jpg',
			url: 'https://storage.landbot.io/media/473548616/parcel.jpg',
			landbotType: 'image',
			sourceKey: '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c05',
			maybeRelayed: true,
		});
	});

	it('emits the messages of one delivery ordered by timestamp', async () => {
		const first = clone(customerText).messages[0];
		const second = { ...clone(customerText).messages[0], timestamp: first.timestamp + 0.04, data: { body: 'second' }, _raw: { uuid: 'u-2' } };
		const { items } = await deliver({ messages: [second, first] });
		expect(items.map((item) => (item.message as IDataObject).text)).toEqual([first.data.body, 'second']);
	});
});

describe('Landbot Trigger: filters', () => {
	it('fires for customers by default, not for agents, bots or system messages', async () => {
		expect((await deliver(clone(customerText))).items).toHaveLength(1);
		expect((await deliver(clone(agentText))).items).toHaveLength(0);
		expect((await deliver(clone(botText))).items).toHaveLength(0);
		expect((await deliver(clone(systemUnassigned))).items).toHaveLength(0);
	});

	it('fires only for the chosen senders', async () => {
		const agentsOnly = { parameters: { senders: ['agent'] } };
		expect((await deliver(clone(agentText), agentsOnly)).items).toHaveLength(1);
		expect((await deliver(clone(customerText), agentsOnly)).items).toHaveLength(0);
	});

	it.each([
		['inHandoff', { customerText: 1, customerInterrupted: 1, botText: 0 }],
		['notInHandoff', { customerText: 0, customerInterrupted: 0, botText: 1 }],
		['assignedToAny', { customerText: 1, customerInterrupted: 0, botText: 0 }],
		['assignedToMe', { customerText: 1, customerInterrupted: 0, botText: 0 }],
		['unassigned', { customerText: 0, customerInterrupted: 1, botText: 1 }],
		['any', { customerText: 1, customerInterrupted: 1, botText: 1 }],
	])('conversations = %s', async (conversations, expected) => {
		const parameters = { conversations, senders: ['customer', 'bot'] };
		const got = {
			customerText: (await deliver(clone(customerText), { parameters })).items.length,
			customerInterrupted: (await deliver(clone(customerInterrupted), { parameters })).items.length,
			botText: (await deliver(clone(botText), { parameters })).items.length,
		};
		expect(got).toEqual(expected);
	});

	it('"assigned to the credential\'s agent" does not fire for another agent\'s conversation', async () => {
		const other = clone(customerText);
		other.messages[0].customer.agent_id = 1111;
		expect((await deliver(other, { parameters: { conversations: 'assignedToMe' } })).items).toHaveLength(0);
	});

	it('filters by message type', async () => {
		const textOnly = { parameters: { messageTypes: ['text'] } };
		expect((await deliver(clone(customerText), textOnly)).items).toHaveLength(1);
		expect((await deliver(clone(customerImage), textOnly)).items).toHaveLength(0);
	});

	it('uses a custom handoff field name', async () => {
		const body = clone(customerText);
		const customer = body.messages[0].customer as IDataObject;
		customer.ticket_ref = customer.handoff_conversation;
		delete customer.handoff_conversation;
		const { items } = await deliver(body, { parameters: { conversations: 'inHandoff', options: { handoffField: 'ticket_ref' } } });
		expect(items[0].handoffConversationId).toBe('support-group-62c3f10152dc7400352bab0d-lb-473548616');
		expect((await deliver(clone(body), { parameters: { conversations: 'inHandoff' } })).items).toHaveLength(0);
	});
});

describe('Landbot Trigger: hostile bodies', () => {
	it('answers 400 to a body nested deeper than any platform sends (200 levels), and starts nothing', async () => {
		let deep: unknown = 'x';
		for (let i = 0; i < 200; i++) deep = [deep];
		const body = clone(customerText);
		(body.messages[0]._raw as IDataObject).uuid = deep as never;
		const result = await deliver(body);
		expect(result.http.statusCode).toBe(400);
		expect(result.items).toHaveLength(0);
	});

	it('reads a timestamp of the wrong kind as none instead of throwing', async () => {
		const body = clone(customerText);
		(body.messages[0] as IDataObject).timestamp = JSON.parse('{"valueOf": 1, "toString": 1}');
		expect((await deliver(body)).items).toHaveLength(1);
	});
});

describe('Landbot Trigger: duplicates', () => {
	it('drops a retried delivery of the same message', async () => {
		const staticData = published();
		expect((await deliver(clone(customerText), { staticData })).items).toHaveLength(1);
		const retry = await deliver(clone(customerText), { staticData });
		expect(retry.items).toHaveLength(0);
		expect(retry.response.webhookResponse).toBeDefined();
	});

	it('lets a different message of the same customer through', async () => {
		const staticData = published();
		await deliver(clone(customerText), { staticData });
		expect((await deliver(clone(customerInterrupted), { staticData, parameters: { conversations: 'inHandoff' } })).items).toHaveLength(1);
	});

	it('recognises a retry without a uuid by its content', async () => {
		const staticData = published();
		const body = clone(customerText);
		delete (body.messages[0]._raw as IDataObject).uuid;
		expect((await deliver(clone(body), { staticData })).items).toHaveLength(1);
		expect((await deliver(clone(body), { staticData })).items).toHaveLength(0);
	});

	const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0';

	it('keys a delivery on its sentry-trace header: a retry whose message differs in content is still dropped', async () => {
		const staticData = published();
		const retried = clone(customerText);
		delete (retried.messages[0]._raw as IDataObject).uuid;
		(retried.messages[0].customer as IDataObject).agent_id = null; // the assignment changed between tries
		expect((await deliver(clone(customerText), { staticData, sentryTrace: TRACE })).items).toHaveLength(1);
		expect((await deliver(retried, { staticData, sentryTrace: TRACE })).items).toHaveLength(0);
	});

	it('two messages with different sentry-trace headers both go through, even with the same uuid', async () => {
		const staticData = published();
		expect((await deliver(clone(customerText), { staticData, sentryTrace: TRACE })).items).toHaveLength(1);
		const other = TRACE.replace(/^4b/, '5c');
		expect((await deliver(clone(customerText), { staticData, sentryTrace: other })).items).toHaveLength(1);
	});

	it('falls back to the message id when sentry-trace is malformed', async () => {
		const staticData = published();
		expect((await deliver(clone(customerText), { staticData, sentryTrace: 'x' })).items).toHaveLength(1);
		expect((await deliver(clone(customerText), { staticData, sentryTrace: 'y' })).items).toHaveLength(0);
	});

	it('can be switched off', async () => {
		const staticData = published();
		const parameters = { options: { dropDuplicates: false } };
		expect((await deliver(clone(customerText), { staticData, parameters })).items).toHaveLength(1);
		expect((await deliver(clone(customerText), { staticData, parameters })).items).toHaveLength(1);
	});
});

describe('Landbot Trigger: handoff interrupted', () => {
	it('a customer message in a handoff with no agent emits "handoffInterrupted"', async () => {
		const { items } = await deliver(clone(customerInterrupted), { parameters: { events: ['handoffInterrupted'] } });
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({
			event: 'handoffInterrupted',
			conversationId: '473548616',
			assignedAgentId: null,
			handoffConversationId: 'support-group-62c3f10152dc7400352bab0d-lb-473548616',
			message: { text: 'Hello? Is anyone still there?' },
		});
	});

	it('the message that reveals it still reaches a "user → agent" flow filtering on "in a handoff"', async () => {
		// Two published workflows: the timeout re-assignment one and the relay one, each with its own node state.
		const reassign = await deliver(clone(customerInterrupted), { parameters: { events: ['handoffInterrupted'] } });
		const relay = await deliver(clone(customerInterrupted), { parameters: { conversations: 'inHandoff' } });
		expect(reassign.items.map((item) => item.event)).toEqual(['handoffInterrupted']);
		expect(relay.items.map((item) => item.event)).toEqual(['message']);
		expect((relay.items[0].message as IDataObject).text).toBe('Hello? Is anyone still there?');
	});

	it('one node with both events emits both items for that message', async () => {
		const { items } = await deliver(clone(customerInterrupted), {
			parameters: { events: ['handoffInterrupted', 'message'], conversations: 'inHandoff' },
		});
		expect(items.map((item) => item.event)).toEqual(['handoffInterrupted', 'message']);
	});

	it('a system message announcing the unassignment also reveals it', async () => {
		const { items } = await deliver(clone(systemUnassigned), { parameters: { events: ['handoffInterrupted'] } });
		expect(items.map((item) => item.event)).toEqual(['handoffInterrupted']);
	});

	it('is not emitted while an agent is assigned, nor outside a handoff', async () => {
		const parameters = { events: ['handoffInterrupted'] };
		expect((await deliver(clone(customerText), { parameters })).items).toHaveLength(0);
		expect((await deliver(clone(botText), { parameters })).items).toHaveLength(0);
	});
});
