/**
 * The Tiledesk node and trigger against the Tiledesk simulator (test/fakes/tiledesk.ts), over real
 * HTTP: the mirror-conversation recipe from publish to close.
 */
import type { IDataObject } from 'n8n-workflow';

import { TiledeskApi } from '../../../credentials/TiledeskApi.credentials';
import { requestIdFromExternalId } from '../../../nodes/Tiledesk/conversationId';
import { Tiledesk } from '../../../nodes/Tiledesk/Tiledesk.node';
import { TiledeskTrigger } from '../../../nodes/Tiledesk/TiledeskTrigger.node';
import { httpRequest } from '../../fakes/http';
import { WebhookReceiver } from '../../fakes/receiver';
import { TiledeskSimulator } from '../../fakes/tiledesk';
import { createHarness } from '../../helpers/harness';

const OWNER = { email: 'owner@example.com', password: 'owner-pw' };
const AGENT = { email: 'maria@example.com', password: 'agent-pw', firstname: 'Maria', lastname: 'Rossi' };

const harness = createHarness({ credentialTypes: [new TiledeskApi()] });
const action = new Tiledesk();
const trigger = new TiledeskTrigger();

describe('Tiledesk nodes against the simulator', () => {
	let sim: TiledeskSimulator;
	let receiver: WebhookReceiver;
	let projectId: string;
	let agentId: string;
	let credentials: { tiledeskApi: IDataObject };

	beforeEach(async () => {
		receiver = await new WebhookReceiver().start();
		sim = await new TiledeskSimulator({ timeScale: 0.01, retryJitter: false, resthookEnabled: true }).start();
		projectId = sim.createProject({ name: 'Relay', owner: OWNER }).project._id;
		agentId = sim.createAgent(projectId, AGENT).user._id;
		credentials = {
			tiledeskApi: { baseUrl: sim.baseUrl, projectId, authType: 'password', email: OWNER.email, password: OWNER.password },
		};
	});

	afterEach(async () => {
		await sim.stop();
		await receiver.stop();
	});

	const run = async (parameters: IDataObject) =>
		(await harness.execute(action, { parameters: parameters as never, credentials: credentials as never }))[0].map(
			(item) => item.json,
		);

	it('publishes, mirrors, hands off, relays the agent, drops echoes, closes with the transcript, unpublishes', async () => {
		const staticData: IDataObject = {};
		const webhookUrl = receiver.url('/tiledesk');
		const events = ['message.create', 'request.close'];
		const hookRun = { parameters: { events } as never, credentials: credentials as never, staticData, webhookUrl };
		expect((await harness.hook(trigger, 'checkExists', hookRun)).result).toBe(false);
		expect((await harness.hook(trigger, 'create', hookRun)).result).toBe(true);
		expect((await harness.hook(trigger, 'checkExists', hookRun)).result).toBe(true);

		// An end user Tiledesk knows (anonymous sign-in), so the first message may come from them.
		const guest = await httpRequest(`${sim.baseUrl}/auth/signinAnonymously`, {
			method: 'POST',
			body: { id_project: projectId, firstname: 'Ada' },
		});
		const customerId = String(guest.body.user._id);
		const requestId = requestIdFromExternalId(projectId, 'landbot:473548616');

		const [history] = await run({
			resource: 'message',
			operation: 'sendHistory',
			externalId: 'landbot:473548616',
			customerId,
			customerName: 'Ada Lovelace',
			messages: JSON.stringify([
				{ role: 'bot', text: 'Hi! What can I do for you?' },
				{ role: 'customer', text: 'My parcel never arrived' },
			]),
		});
		expect(history).toMatchObject({ conversationId: requestId, count: 2 });
		const request = sim.getRequest(requestId) as IDataObject;
		expect((request.lead as IDataObject).lead_id).toBe(customerId);
		expect(request.attributes).toMatchObject({ n8nHandoffExternalId: 'landbot:473548616' });

		await run({ resource: 'conversation', operation: 'routeToAgents', externalId: 'landbot:473548616' });
		await sim.idle();
		expect((sim.getRequest(requestId) as IDataObject).participants).toContain(agentId);

		sim.agentSays(requestId, agentId, 'Hello Ada, Maria here.');
		await sim.idle();

		const deliveries = receiver.requests.filter((r) => r.body?.hook?.event === 'message.create');
		const items: IDataObject[] = [];
		for (const delivery of deliveries) {
			const { response, http } = await harness.webhook(trigger, {
				parameters: { events } as never,
				credentials: credentials as never,
				staticData,
				webhookUrl,
				request: { headers: delivery.headers as Record<string, string>, body: delivery.body },
			});
			expect(http.statusCode).not.toBe(401);
			items.push(...(response.workflowData?.[0] ?? []).map((item) => item.json));
		}
		// Our own posts (history, \agent) came back and were dropped; the agent's reply was not.
		expect(deliveries.length).toBeGreaterThanOrEqual(4);
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({
			event: 'message',
			conversationId: requestId,
			externalId: 'landbot:473548616',
			customerId,
			author: { role: 'agent', id: agentId },
			message: { type: 'text', text: 'Hello Ada, Maria here.' },
		});

		const [closed] = await run({ resource: 'conversation', operation: 'close', externalId: 'landbot:473548616' });
		expect(closed.status).toBe(1000);
		await sim.idle();
		const closeDelivery = receiver.requests.find((r) => r.body?.hook?.event === 'request.close');
		expect(closeDelivery).toBeDefined();
		const closedEvent = await harness.webhook(trigger, {
			parameters: { events } as never,
			credentials: credentials as never,
			staticData,
			webhookUrl,
			request: { headers: closeDelivery!.headers as Record<string, string>, body: closeDelivery!.body },
		});
		const [item] = closedEvent.response.workflowData?.[0] ?? [];
		const transcript = item.json.transcript as IDataObject[];
		expect(transcript.filter((entry) => !(entry.message as IDataObject).info).map((entry) => (entry.author as IDataObject).role)).toEqual([
			'bot',
			'customer',
			'agent',
		]);

		expect((await harness.hook(trigger, 'delete', hookRun)).result).toBe(true);
		const remaining = await httpRequest(`${sim.baseUrl}/${projectId}/subscriptions`, {
			method: 'GET',
			headers: { Authorization: `Basic ${Buffer.from(`${OWNER.email}:${OWNER.password}`).toString('base64')}` },
		});
		expect(remaining.body).toEqual([]);
	});

	it('explains the missing shared secret when a new end user writes first', async () => {
		await expect(
			run({
				resource: 'message',
				operation: 'send',
				externalId: '42',
				sendAs: 'endUser',
				senderId: 'landbot-42',
				text: 'Hello',
			}),
		).rejects.toThrow(/does not know the end user "landbot-42"/);
		expect(sim.listRequests(projectId)).toEqual([]);
	});
});
