/**
 * The LiveChat node and trigger against the LiveChat simulator (test/fakes/livechat.ts), over real
 * HTTP: a handoff from publish to deactivation, and the same customer coming back.
 */
import type { IDataObject } from 'n8n-workflow';

import { LiveChatApi } from '../../../credentials/LiveChatApi.credentials';
import { LiveChat } from '../../../nodes/LiveChat/LiveChat.node';
import { LiveChatTrigger } from '../../../nodes/LiveChat/LiveChatTrigger.node';
import { clearLiveChatCaches } from '../../../nodes/LiveChat/transport';
import { LiveChatSimulator } from '../../fakes/livechat';
import type { ReceivedRequest } from '../../fakes/receiver';
import { WebhookReceiver } from '../../fakes/receiver';
import { createHarness } from '../../helpers/harness';

const harness = createHarness({ credentialTypes: [new LiveChatApi()] });
const action = new LiveChat();
const trigger = new LiveChatTrigger();
const EVENTS = ['agentMessage', 'chatDeactivated', 'chatTransferred', 'incomingChat'];
const REDIRECT = 'https://n8n.example.com/';

describe('LiveChat nodes against the simulator', () => {
	let sim: LiveChatSimulator;
	let receiver: WebhookReceiver;
	let credentials: { liveChatApi: IDataObject };
	let groupId: number;
	let agentId: string;
	let botId: string;
	let clientId: string;
	/** The node's static data across runs, as n8n keeps it for one workflow. */
	let actionStaticData: IDataObject;

	beforeEach(async () => {
		receiver = await new WebhookReceiver().start();
		sim = await new LiveChatSimulator({ timeScale: 0.0001 }).start();
		clearLiveChatCaches();
		// The app as set up for the relay: a redirect URI in its Authorization block, installed.
		clientId = sim.createClient({ name: 'n8n relay', redirectUris: [REDIRECT], installed: true }).id;
		groupId = sim.createGroup({ name: 'Support' }).id;
		const relay = sim.createAgent({ email: 'relay@example.com', name: 'Relay', accepting: false });
		agentId = sim.createAgent({ email: 'smith@example.com', name: 'Agent Smith', groupIds: [groupId] }).agent.id;
		botId = sim.createBot({ name: 'Landbot relay', clientId }).id;
		credentials = {
			liveChatApi: {
				authType: 'pat',
				accountId: relay.accountId,
				personalAccessToken: relay.pat,
				organizationId: sim.organizationId,
				clientId,
				customerRedirectUri: REDIRECT,
				apiUrl: sim.baseUrl,
				accountsUrl: sim.accountsUrl,
			},
		};
		actionStaticData = {};
	});

	afterEach(async () => {
		await sim.stop();
		await receiver.stop();
	});

	const run = async (parameters: IDataObject) =>
		(
			await harness.execute(action, {
				parameters: parameters as never,
				credentials: credentials as never,
				staticData: actionStaticData,
			})
		)[0].map((item) => item.json);

	async function deliverAll(requests: ReceivedRequest[], staticData: IDataObject, webhookUrl: string) {
		const items: IDataObject[] = [];
		for (const request of requests) {
			const { response, http } = await harness.webhook(trigger, {
				parameters: { events: EVENTS } as never,
				credentials: credentials as never,
				staticData,
				webhookUrl,
				request: { headers: request.headers as Record<string, string>, body: request.body },
			});
			expect(http.statusCode).not.toBe(401);
			items.push(...(response.workflowData?.[0] ?? []).map((item) => item.json));
		}
		return items;
	}

	it('publishes, hands off with history, relays both ways, drops echoes, closes, resumes for the same customer, unpublishes', async () => {
		const staticData: IDataObject = {};
		const webhookUrl = receiver.url('/livechat');
		const hookRun = { parameters: { events: EVENTS } as never, credentials: credentials as never, staticData, webhookUrl };
		expect((await harness.hook(trigger, 'checkExists', hookRun)).result).toBe(false);
		expect((await harness.hook(trigger, 'create', hookRun)).result).toBe(true);
		expect((await harness.hook(trigger, 'checkExists', hookRun)).result).toBe(true);
		expect(sim.getWebhooks().map((w) => w.action).sort()).toEqual(['chat_deactivated', 'chat_transferred', 'incoming_chat', 'incoming_event']);
		expect(sim.licenseWebhooksEnabled(clientId)).toBe(true);
		expect(sim.getProperties().map((p) => [p.name, p.public_access])).toEqual([
			['external_id', ['read', 'write']],
			['external_platform', ['read', 'write']],
			['customer_external_id', ['read', 'write']],
			['customer_identity', ['read', 'write']],
			['relayed', ['read', 'write']],
		]);

		// The bot hands the conversation over: chat in the group, with the transcript and both IDs.
		const [started] = await run({
			resource: 'chat',
			operation: 'start',
			groupId: String(groupId),
			externalId: 'landbot-conv-1',
			externalPlatform: 'landbot',
			customerExternalId: 'landbot-473548616',
			initialMessages: JSON.stringify([
				{ role: 'bot', text: 'Hi! What can I do for you?' },
				{ role: 'customer', name: 'Ada', text: 'My parcel never arrived' },
			]),
			options: { customerName: 'Ada Lovelace' },
		});
		expect(started).toMatchObject({ customerCreated: true, routedToGroup: true, resumed: false });
		const chatId = String(started.chatId);
		const customerId = String(started.customerId);
		const chat = sim.getChat(chatId) as { users: IDataObject[]; properties: IDataObject; threads: IDataObject[] };
		expect(chat.users.map((u) => [u.id, u.type])).toEqual([
			[customerId, 'customer'],
			[agentId, 'agent'],
		]);
		expect(chat.users[0].name).toBe('Ada Lovelace');
		expect(chat.properties).toEqual({
			[clientId]: {
				external_id: 'landbot-conv-1',
				external_platform: 'landbot',
				customer_external_id: 'landbot-473548616',
				customer_identity: expect.stringMatching(/^v1\./),
				relayed: '',
			},
		});
		// The customer was created by the cookie grant, sent without the personal access token.
		const grants = sim.getCalls().filter((call) => call.path === '/v2/customer/token');
		expect(grants.map((call) => [call.status, call.headers.authorization, (call.body as IDataObject).grant_type])).toEqual([
			[200, undefined, 'cookie'],
		]);

		// User → agent: the customer's next message, through the Customer Chat API, from another
		// process (no token cached): the chat's identity gets a token for the same customer.
		clearLiveChatCaches();
		await run({ resource: 'chat', operation: 'sendMessage', chatBy: 'externalId', externalId: 'landbot-conv-1', sendAs: 'customer', messageType: 'text', text: 'Order #8812' });
		await run({
			resource: 'chat',
			operation: 'sendMessage',
			chatId,
			sendAs: 'bot',
			botId,
			messageType: 'file',
			url: receiver.url('/files/receipt.json'),
			caption: 'The receipt',
		});
		expect(sim.getCustomer(customerId)).toBeDefined();

		// Agent → user: the agent answers in LiveChat.
		sim.agentSays(chatId, agentId, 'Hello Ada, Agent Smith here.');
		sim.agentSays(chatId, agentId, { text: 'Note: refund approved', visibility: 'agents' });
		await sim.idle();

		const deliveries = receiver.requests.filter((r) => r.path === '/livechat');
		const items = await deliverAll(deliveries, staticData, webhookUrl);
		// Our chat start (incoming_chat) and the bot's messages came back and were dropped; the
		// customer's message never came (author_type agent); the internal note was held back.
		expect(items.map((item) => item.event)).toEqual(['conversationTransferred', 'message']);
		expect(items[0]).toMatchObject({ conversationId: chatId, transfer: { groupIds: [groupId], agentIds: [agentId], queued: false } });
		expect(items[1]).toMatchObject({
			event: 'message',
			conversationId: chatId,
			externalId: 'landbot-conv-1',
			externalPlatform: 'landbot',
			customerExternalId: 'landbot-473548616',
			author: { role: 'agent', id: agentId },
			message: { type: 'text', text: 'Hello Ada, Agent Smith here.' },
		});
		const events = (sim.getChat(chatId) as { threads: Array<{ events: IDataObject[] }> }).threads[0].events;
		expect(events.map((e) => [e.type, e.author_id === customerId ? 'customer' : e.author_id === botId ? 'bot' : e.author_id])).toEqual([
			['message', 'relay@example.com'],
			['message', 'relay@example.com'],
			['message', 'customer'],
			['file', 'bot'],
			['message', 'bot'],
			['message', agentId],
			['message', agentId],
		]);
		expect(events[3]).toMatchObject({ name: 'receipt.json', url: expect.stringContaining(`${sim.baseUrl}/cdn/`) });

		// A retried delivery is dropped; a delivery with a wrong secret is refused.
		expect(await deliverAll([deliveries[deliveries.length - 1]], staticData, webhookUrl)).toEqual([]);
		const forged = await harness.webhook(trigger, {
			parameters: { events: EVENTS } as never,
			credentials: credentials as never,
			staticData,
			webhookUrl,
			request: { body: { ...deliveries[0].body, secret_key: 'guess' } },
		});
		expect(forged.http.statusCode).toBe(401);

		// The agent ends it: chat deactivated reaches the relay with the external ID.
		receiver.requests.length = 0;
		sim.deactivate(chatId, agentId);
		await sim.idle();
		const [closed] = await deliverAll(receiver.requests, staticData, webhookUrl);
		expect(closed).toMatchObject({ event: 'conversationClosed', conversationId: chatId, externalId: 'landbot-conv-1', author: { role: 'agent', id: agentId } });

		// The same customer asks again: same LiveChat customer, same chat, a new thread.
		sim.setAgentAccepting(agentId, false);
		const [again] = await run({
			resource: 'chat',
			operation: 'start',
			groupId: String(groupId),
			externalId: 'landbot-conv-2',
			customerExternalId: 'landbot-473548616',
			initialMessages: '["Customer: I need help again"]',
		});
		expect(again).toMatchObject({ chatId, customerId, customerCreated: false, resumed: true, externalId: 'landbot-conv-2' });
		expect(sim.listCustomers()).toHaveLength(1);
		// After a restart the customer of the resumed chat still writes as themselves.
		clearLiveChatCaches();
		const [resent] = await run({ resource: 'chat', operation: 'sendMessage', chatId, sendAs: 'customer', messageType: 'text', text: 'Still me' });
		expect(resent).toMatchObject({ customerId, sentAs: 'customer' });
		expect(sim.listCustomers()).toHaveLength(1);
		await sim.idle();
		const queued = (await deliverAll(receiver.requests, staticData, webhookUrl)).find((item) => item.event === 'conversationTransferred');
		expect(queued).toMatchObject({ transfer: { queued: true, queue: { position: 1 } }, externalId: 'landbot-conv-2' });

		// Handback: the relay deactivates it.
		const [deactivated] = await run({ resource: 'chat', operation: 'deactivate', chatBy: 'externalId', externalId: 'landbot-conv-2' });
		expect(deactivated).toEqual({ chatId, externalId: 'landbot-conv-2', deactivated: true });

		expect((await harness.hook(trigger, 'delete', hookRun)).result).toBe(true);
		expect(sim.getWebhooks()).toEqual([]);
	});

	it('reports LiveChat\'s refusals in its words', async () => {
		await expect(
			run({ resource: 'chat', operation: 'transfer', chatId: 'NOSUCHCHAT', targetType: 'group', groupId: String(groupId) }),
		).rejects.toThrow('LiveChat refused "transfer chat" (404): Chat not found (not_found)');
		await expect(
			run({ resource: 'chat', operation: 'start', groupId: '999', customerBy: 'none', options: { routeToGroup: false } }),
		).rejects.toThrow('LiveChat refused "start chat" (400): Group 999 not found (validation)');
	});
});
