/**
 * The Salesforce Live Agent node against the Live Agent simulator (test/fakes/salesforce.ts), over
 * real HTTP, played the way a workflow loops: every step gets the previous step's output item and
 * nothing else (the session travels in the items).
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { SalesforceLiveAgentApi } from '../../../credentials/SalesforceLiveAgentApi.credentials';
import { SalesforceLiveAgent } from '../../../nodes/SalesforceLiveAgent/SalesforceLiveAgent.node';
import { waitFor } from '../../fakes/http';
import { SalesforceLiveAgentSimulator } from '../../fakes/salesforce';
import { createHarness } from '../../helpers/harness';

const harness = createHarness({ credentialTypes: [new SalesforceLiveAgentApi()] });
const node = new SalesforceLiveAgent();

describe('Salesforce Live Agent node against the simulator', () => {
	let sim: SalesforceLiveAgentSimulator;
	let credentials: { salesforceLiveAgentApi: ICredentialDataDecryptedObject };

	beforeEach(async () => {
		sim = await new SalesforceLiveAgentSimulator({ pollTimeoutMs: 150, clientPollTimeout: 2 }).start();
		credentials = {
			salesforceLiveAgentApi: {
				// The bare host, as "the chat API endpoint host": /chat/rest is added.
				chatApiEndpoint: sim.hostUrl,
				apiVersion: '56',
				organizationId: sim.organizationId,
				deploymentId: sim.deploymentId,
				buttonId: sim.buttonId,
			},
		};
	});

	afterEach(async () => {
		await sim.stop();
	});

	/** One node run on one item: what the next node in the workflow would get. */
	async function step(operation: string, input: IDataObject, parameters: IDataObject = {}): Promise<IDataObject> {
		const [output] = await harness.execute(node, {
			parameters: { resource: 'chat', operation, ...parameters } as never,
			credentials,
			items: [{ json: input }],
		});
		expect(output).toHaveLength(1);
		expect(output[0].pairedItem).toEqual({ item: 0 });
		return output[0].json;
	}

	const sessionId = (item: IDataObject) => (item.session as IDataObject).id as string;

	it('passes its credential test', async () => {
		expect(await harness.testCredential('salesforceLiveAgentApi', credentials.salesforceLiveAgentApi)).toMatchObject({
			status: 'OK',
		});
		expect(
			await harness.testCredential('salesforceLiveAgentApi', { ...credentials.salesforceLiveAgentApi, deploymentId: 'wrong' }),
		).toMatchObject({ status: 'Error' });
	});

	it('a whole chat: session → start → poll until established → 3 messages each way, exactly once and in order → agent ends → loop ends', async () => {
		let item = await step('createSession', {});
		item = await step('startChat', item, {
			visitorName: 'Ada',
			transcript: JSON.stringify([
				{ role: 'customer', name: 'Ada', text: 'My parcel never arrived' },
				{ role: 'bot', text: 'Let me get you a human.' },
			]),
		});
		expect(item).toMatchObject({ established: false, session: { sequence: 2 } });
		const id = sessionId(item);
		expect(sim.getSession(id)?.chasitorInit).toMatchObject({
			visitorName: 'Ada',
			prechatDetails: [{ label: 'Bot Transcript', value: 'Ada (customer): My parcel never arrived\nBot: Let me get you a human.' }],
		});

		// Poll until established; the agent accepts while a poll is waiting.
		const queuePositions: number[] = [];
		let polls = 0;
		while (!item.established) {
			if (++polls === 2) setTimeout(() => sim.agentAccepts(id, { name: 'Agent Smith', userId: '005A' }), 30);
			item = await step('getMessages', item);
			if (typeof item.queuePosition === 'number') queuePositions.push(item.queuePosition);
			expect(polls).toBeLessThan(10);
		}
		expect(queuePositions).toEqual([1]);
		expect(item.agent).toEqual({ name: 'Agent Smith', userId: '005A' });

		// Three messages as the visitor: sequences 2, 3, 4.
		for (const text of ['It was due Monday', 'Order 1234', 'Thanks']) {
			item = await step('sendMessage', item, { text });
		}
		expect((item.session as IDataObject).sequence).toBe(5);

		// The agent answers three times, between polls and during one; a 409 and 204s on the way.
		const received: string[] = [];
		const agentEvents: IDataObject[] = [];
		sim.agentTyping(id, true);
		sim.agentSays(id, 'Sorry to hear that');
		sim.injectPollStatus(409);
		let answered = 1;
		polls = 0;
		while (received.length < 3) {
			if (++polls > 20) throw new Error('agent messages never arrived');
			if (polls === 3 && answered === 1) {
				setTimeout(() => {
					sim.agentSays(id, 'Found order 1234');
					sim.agentSays(id, 'It ships today');
				}, 40);
				answered = 3;
			}
			item = await step('getMessages', item);
			received.push(...(item.agentMessages as string[]));
			agentEvents.push(...(item.messages as IDataObject[]).filter((m) => m.event === 'message'));
		}
		expect(received).toEqual(['Sorry to hear that', 'Found order 1234', 'It ships today']);
		expect(agentEvents.map((e) => (e.message as IDataObject).text)).toEqual(received);
		expect(agentEvents[0]).toMatchObject({
			platform: 'salesforceLiveAgent',
			conversationId: id,
			author: { role: 'agent', id: '005A', name: 'Agent Smith' },
		});

		// The agent ends the chat; the loop sees chatEnded and stops.
		sim.agentEnds(id);
		polls = 0;
		while (!item.chatEnded) {
			if (++polls > 5) throw new Error('chat end never arrived');
			item = await step('getMessages', item, { options: { returnEnded: true } });
			received.push(...(item.agentMessages as string[]));
		}
		expect(item).toMatchObject({ chatEnded: true, endReason: 'agent' });
		expect(received).toHaveLength(3);
		// One more poll (its ack is past ChatEnded): the session is gone.
		const after = await step('getMessages', item, { options: { returnEnded: true } });
		expect(after).toMatchObject({ ended: true, chatEnded: true, messages: [] });

		// The agent saw the visitor's messages once each, in order.
		expect(sim.transcript(id).filter((e) => e.from === 'visitor').map((e) => [e.text, e.sequence])).toEqual([
			['It was due Monday', 2],
			['Order 1234', 3],
			['Thanks', 4],
		]);
		// Every Chasitor POST carried all four headers.
		for (const call of sim.getCalls().filter((c) => c.method === 'POST')) {
			for (const header of ['x-liveagent-api-version', 'x-liveagent-affinity', 'x-liveagent-session-key', 'x-liveagent-sequence']) {
				expect(call.headers[header]).toBeTruthy();
			}
		}
		expect(sim.getCalls().some((c) => c.status === 409)).toBe(true);
		expect(sim.getCalls().some((c) => c.status === 204)).toBe(true);
	}, 30_000);

	it('a replayed Send Message (same session item) is dropped by the server as a duplicate', async () => {
		let item = await step('createSession', {});
		item = await step('startChat', item, { visitorName: 'Ada' });
		sim.agentAccepts(sessionId(item));
		const before = item;
		item = await step('sendMessage', before, { text: 'once' });
		await step('sendMessage', before, { text: 'once' });
		expect(sim.transcript(sessionId(item)).map((e) => e.text)).toEqual(['once']);
		expect(sim.getCalls().filter((c) => c.duplicate)).toHaveLength(1);
	});

	it('End Chat as the visitor ends the chat and the session; polling then fails clearly or returns ended', async () => {
		let item = await step('createSession', {});
		item = await step('startChat', item, { visitorName: 'Ada' });
		const id = sessionId(item);
		sim.agentAccepts(id);
		item = await step('getMessages', item);
		const ended = await step('endChat', item);
		expect(ended).toMatchObject({ chatEnded: true, alreadyEnded: false, sessionEnded: true });
		expect(sim.getSession(id)).toMatchObject({ state: 'gone', endedBy: 'visitor' });
		expect(sim.getCalls().find((c) => c.path === '/Chasitor/ChatEnd')?.body).toEqual({ reason: 'client' });
		await expect(step('getMessages', ended)).rejects.toThrow(/^Live Agent session ended \(403\)/);
		expect(await step('getMessages', ended, { options: { returnEnded: true } })).toMatchObject({ ended: true });
		expect(await step('endChat', ended)).toMatchObject({ alreadyEnded: true });
	});

	it('no agent available: the first poll reports the failed request and ends the loop', async () => {
		sim.setAgentsAvailable(false);
		let item = await step('createSession', {});
		item = await step('startChat', item, { visitorName: 'Ada' });
		item = await step('getMessages', item);
		expect(item).toMatchObject({ chatEnded: true, established: false, requestFailed: 'Unavailable' });
		await waitFor(() => sim.getSession(sessionId(item))?.state === 'ended');
	});
});
