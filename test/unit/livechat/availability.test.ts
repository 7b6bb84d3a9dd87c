/**
 * Agent › Get Availability against the LiveChat simulator, in n8n-core's real execution context:
 * the agents' routing statuses (Agent Chat API list_routing_statuses), by group, with the node's
 * own Business Hours.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { LiveChatApi } from '../../../credentials/LiveChatApi.credentials';
import { LiveChat } from '../../../nodes/LiveChat/LiveChat.node';
import { clearLiveChatCaches } from '../../../nodes/LiveChat/transport';
import { LiveChatSimulator } from '../../fakes/livechat';
import { createHarness } from '../../helpers/harness';

const DAY = 86_400_000;
const WEEK = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const harness = createHarness({ credentialTypes: [new LiveChatApi()] });
const node = new LiveChat();

/** Business Hours open only the day after tomorrow (UTC): closed now, opening at its midnight. */
function openDayAfterTomorrow(): { schedule: IDataObject; opensAt: string } {
	const midnight = Math.floor(Date.now() / DAY) * DAY + 2 * DAY;
	const weekday = new Date(midnight).getUTCDay();
	const days = Object.fromEntries(WEEK.map((name, d) => [name, d === weekday ? '00:00-24:00' : '']));
	return { schedule: { timeZone: 'UTC', ...days }, opensAt: new Date(midnight).toISOString() };
}

describe('LiveChat › Agent › Get Availability', () => {
	let sim: LiveChatSimulator;
	let credentials: IDataObject;
	let support: number;
	let sales: number;

	beforeEach(async () => {
		sim = await new LiveChatSimulator({ timeScale: 0.0001 }).start();
		clearLiveChatCaches();
		support = sim.createGroup({ name: 'Support' }).id;
		sales = sim.createGroup({ name: 'Sales' }).id;
		const relay = sim.createAgent({ email: 'relay@example.com', name: 'Relay', accepting: false });
		sim.setAgentRoutingStatus('relay@example.com', 'offline');
		sim.createAgent({ email: 'smith@example.com', name: 'Agent Smith', groupIds: [support], accepting: false });
		sim.createAgent({ email: 'jones@example.com', name: 'Agent Jones', groupIds: [sales], accepting: false });
		// A bot accepting chats in every group is nobody to hand over to.
		const clientId = sim.createClient({ name: 'relay app', redirectUris: ['https://example.com/cb'], installed: true }).id;
		sim.createBot({ name: 'Landbot relay', clientId, groupIds: [0, support, sales] });
		credentials = {
			authType: 'pat',
			accountId: relay.accountId,
			personalAccessToken: relay.pat,
			organizationId: sim.organizationId,
			apiUrl: sim.baseUrl,
			accountsUrl: sim.accountsUrl,
		};
	});

	afterEach(async () => {
		await sim.stop();
	});

	const run = async (parameters: IDataObject = {}, credentialChanges: IDataObject = {}) => {
		const [output] = await harness.execute(node, {
			parameters: { resource: 'agent', operation: 'getAvailability', ...parameters } as never,
			credentials: { liveChatApi: { ...credentials, ...credentialChanges } } as never,
		});
		expect(output).toHaveLength(1);
		return output[0].json;
	};
	const inGroup = (id: number | string) => ({ groupId: { __rl: true, mode: 'id', value: String(id) } });

	it('answers not available, with the count 0, when nobody accepts chats', async () => {
		expect(await run()).toEqual({
			available: false,
			agentsAvailable: 0,
			agents: [
				{ id: 'jones@example.com', name: 'Agent Jones', status: 'not_accepting_chats' },
				{ id: 'relay@example.com', name: 'Relay', status: 'offline' },
				{ id: 'smith@example.com', name: 'Agent Smith', status: 'not_accepting_chats' },
			],
			groupId: null,
		});
	});

	it('does not count an agent who accepts chats in another group', async () => {
		sim.setAgentRoutingStatus('jones@example.com', 'accepting_chats');
		expect(await run(inGroup(support))).toEqual({
			available: false,
			agentsAvailable: 0,
			agents: [{ id: 'smith@example.com', name: 'Agent Smith', status: 'not_accepting_chats' }],
			groupId: support,
		});
	});

	it('answers available when an agent of the group accepts chats', async () => {
		sim.setAgentRoutingStatus('smith@example.com', 'accepting_chats');
		expect(await run(inGroup(support))).toEqual({
			available: true,
			agentsAvailable: 1,
			agents: [{ id: 'smith@example.com', name: 'Agent Smith', status: 'accepting_chats' }],
			groupId: support,
		});
		// Group 0 (General) holds every agent.
		expect(await run(inGroup(0))).toMatchObject({ available: true, agentsAvailable: 1, groupId: 0 });
	});

	it('answers not available outside the Business Hours, with the next opening', async () => {
		sim.setAgentRoutingStatus('smith@example.com', 'accepting_chats');
		const { schedule, opensAt } = openDayAfterTomorrow();
		expect(await run({ ...inGroup(support), businessHours: { schedule } })).toMatchObject({
			available: false,
			agentsAvailable: 1,
			open: false,
			opensAt,
			closesAt: null,
			timeZone: 'UTC',
		});
	});

	it('names the parameter that is wrong', async () => {
		const error = await run({ businessHours: { schedule: { timeZone: 'UTC', monday: '09:00-17:00', tuesday: '25:00-26:00' } } }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as Error).message).toBe('"Business Hours › Tuesday": "25:00-26:00" is not a time range like 09:00-17:00: 25:00 is no time of day');

		const group = await run({ groupId: 'support' }).catch((e: unknown) => e);
		expect(group).toBeInstanceOf(NodeOperationError);
		expect((group as Error).message).toBe('"Group" must be a LiveChat group ID (an integer, 0 is General), got "support"');
	});

	it("surfaces LiveChat's refusals as API errors naming the call", async () => {
		const error = await run({}, { personalAccessToken: 'dal:wrong' }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as Error).message).toMatch(/^LiveChat refused "list routing statuses" \(401\)/);
	});
});
