/**
 * The Tiledesk node and trigger against the Tiledesk simulator (test/fakes/tiledesk.ts), over real
 * HTTP: the mirror-conversation recipe from publish to close.
 */
import type { IDataObject } from 'n8n-workflow';

import { TiledeskApi } from '../../../credentials/TiledeskApi.credentials';
import { requestIdFromExternalId } from '../../../nodes/shared/tiledeskRequestId';
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

	it('passes its credential test; a wrong password or another project\'s credential does not', async () => {
		const test = (changes: IDataObject = {}) => harness.testCredential('tiledeskApi', { ...credentials.tiledeskApi, ...changes } as never);
		expect(await test()).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect((await test({ password: 'wrong' })).status).toBe('Error');
		const other = sim.createProject({ name: 'Other' }).project._id;
		expect((await test({ projectId: other })).status).toBe('Error');
	});

	describe('forged deliveries: another project on the same Tiledesk server', () => {
		const MALLORY = { email: 'mallory@example.com', password: 'mallory-pw' };
		const mallory = `Basic ${Buffer.from(`${MALLORY.email}:${MALLORY.password}`).toString('base64')}`;
		const events = ['message.create', 'request.close'];
		let staticData: IDataObject;
		let webhookUrl: string;
		let otherProject: string;

		const publish = async () => {
			const hookRun = { parameters: { events } as never, credentials: credentials as never, staticData, webhookUrl };
			expect((await harness.hook(trigger, 'create', hookRun)).result).toBe(true);
		};
		/** What our trigger answers to a request as it reached its URL, with its secret header optionally replaced. */
		const trigger401 = async (delivery: { headers: IDataObject; body: unknown }, secret?: string) => {
			const headers = { ...(delivery.headers as Record<string, string>) };
			if (secret !== undefined) headers['x-hook-secret'] = secret;
			const { http, response } = await harness.webhook(trigger, {
				parameters: { events, authors: ['agent', 'customer', 'bot', 'system'] } as never,
				credentials: credentials as never,
				staticData,
				webhookUrl,
				request: { headers, body: delivery.body },
			});
			return { status: http.statusCode ?? 200, started: (response.workflowData?.[0] ?? []).length > 0 };
		};
		/** Mallory, admin of her own project, subscribes our URL: Tiledesk answers her the server's default secret. */
		const malloryHooksOurUrl = async (event = 'message.create') => {
			const res = await httpRequest(`${sim.baseUrl}/${otherProject}/subscriptions`, {
				method: 'POST',
				headers: { Authorization: mallory },
				body: { event, target: webhookUrl },
			});
			expect(res.status).toBe(200);
			return { id: String(res.body._id), serverSecret: String(res.headers['x-hook-secret']) };
		};
		const malloryWrites = async (text: string) => {
			const rid = `support-group-${otherProject}-m1`;
			await httpRequest(`${sim.baseUrl}/${otherProject}/requests/${rid}/messages`, { method: 'POST', headers: { Authorization: mallory }, body: { text } });
			await sim.idle();
		};
		const deliveriesFrom = (subscriptionId: string) => receiver.requests.filter((r) => r.body?.hook?._id === subscriptionId);

		beforeEach(() => {
			staticData = {};
			webhookUrl = receiver.url('/tiledesk');
			otherProject = sim.createProject({ name: 'Mallory & Co', owner: MALLORY }).project._id;
		});

		it('our subscriptions hold secrets of their own; the one Mallory is given authenticates nothing', async () => {
			await publish();
			const { id, serverSecret } = await malloryHooksOurUrl();
			const ours = staticData.subscriptions as IDataObject[];
			expect(ours.map((s) => s.secretSource)).toEqual(['own', 'own']);
			expect(ours.map((s) => s.secret)).not.toContain(serverSecret);
			// Tiledesk itself delivers with them.
			expect(sim.listSubscriptions(projectId).map((s) => s.secret).sort()).toEqual(ours.map((s) => s.secret).sort());

			await malloryWrites('from Mallory\'s project');
			const [forged] = deliveriesFrom(id);
			expect(forged.headers['x-hook-secret']).toBe(serverSecret);
			expect(await trigger401(forged)).toEqual({ status: 401, started: false });
			// Her own crafted delivery, naming our subscription and project, with the only secret she has.
			const claimed = { ...forged.body, hook: { ...forged.body.hook, _id: ours[0].id, id_project: projectId } };
			claimed.payload = { ...forged.body.payload, id_project: projectId };
			expect(await trigger401({ headers: forged.headers, body: claimed })).toEqual({ status: 401, started: false });
		});

		it('where Tiledesk kept its default secret, her deliveries still fail on hook._id and project; ours pass', async () => {
			await publish();
			const { id, serverSecret } = await malloryHooksOurUrl();
			// As if the server had not taken our secrets: its default is back, and is what we hold.
			const basic = `Basic ${Buffer.from(`${OWNER.email}:${OWNER.password}`).toString('base64')}`;
			for (const subscription of staticData.subscriptions as IDataObject[]) {
				await httpRequest(`${sim.baseUrl}/${projectId}/subscriptions/${String(subscription.id)}`, {
					method: 'PUT',
					headers: { Authorization: basic },
					body: { secret: serverSecret },
				});
				Object.assign(subscription, { secret: serverSecret, secretSource: 'server' });
			}

			await malloryWrites('from Mallory\'s project');
			const [forged] = deliveriesFrom(id);
			expect(forged.headers['x-hook-secret']).toBe(serverSecret);
			expect(await trigger401(forged)).toEqual({ status: 401, started: false });

			// Made global, her subscription receives our project's events, under her hook.
			await httpRequest(`${sim.baseUrl}/${otherProject}/subscriptions/${id}`, { method: 'PUT', headers: { Authorization: mallory }, body: { global: true } });
			const rid = requestIdFromExternalId(projectId, 'global-1');
			const guest = await httpRequest(`${sim.baseUrl}/auth/signinAnonymously`, { method: 'POST', body: { id_project: projectId, firstname: 'Ada' } });
			await httpRequest(`${sim.baseUrl}/${projectId}/requests/${rid}/messages`, { method: 'POST', headers: { Authorization: guest.body.token }, body: { text: 'ours' } });
			await sim.idle();
			const viaGlobal = deliveriesFrom(id).find((r) => r.body.payload.id_project === projectId);
			expect(viaGlobal).toBeDefined();
			expect(await trigger401(viaGlobal!)).toEqual({ status: 401, started: false });
			const ourOwn = receiver.requests.find((r) => r.body?.hook?.id_project === projectId && r.body.payload.text === 'ours');
			expect(await trigger401(ourOwn!)).toEqual({ status: 200, started: true });
		});

		it('one subscription\'s secret does not authenticate another event\'s subscription', async () => {
			await publish();
			const [messageSub, closeSub] = staticData.subscriptions as IDataObject[];
			const rid = requestIdFromExternalId(projectId, 'cross-1');
			const guest = await httpRequest(`${sim.baseUrl}/auth/signinAnonymously`, { method: 'POST', body: { id_project: projectId, firstname: 'Ada' } });
			await httpRequest(`${sim.baseUrl}/${projectId}/requests/${rid}/messages`, { method: 'POST', headers: { Authorization: guest.body.token }, body: { text: 'hello' } });
			sim.agentCloses(rid, agentId);
			await sim.idle();
			const message = deliveriesFrom(String(messageSub.id))[0];
			const close = deliveriesFrom(String(closeSub.id))[0];
			expect(await trigger401(message)).toEqual({ status: 200, started: true });
			expect(await trigger401(close)).toEqual({ status: 200, started: true });
			expect(await trigger401(message, String(closeSub.secret))).toEqual({ status: 401, started: false });
			expect(await trigger401(close, String(messageSub.secret))).toEqual({ status: 401, started: false });
		});
	});
});
