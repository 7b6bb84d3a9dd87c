/**
 * Agent › Get Availability (nodes/Chatwoot/actions/agent) against the Chatwoot simulator, in
 * n8n-core's real execution context: the agents' availability_status, by team (team_members) and
 * inbox (inbox_members), with the inbox's business hours and the node's own.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { ChatwootApi } from '../../../credentials/ChatwootApi.credentials';
import { Chatwoot } from '../../../nodes/Chatwoot/Chatwoot.node';
import { ChatwootSimulator } from '../../fakes/chatwoot';
import type { ChatwootSeed } from '../../fakes/chatwoot';
import { createHarness } from '../../helpers/harness';

const DAY = 86_400_000;
const WEEK = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const harness = createHarness({ credentialTypes: [new ChatwootApi()] });
const node = new Chatwoot();

/** The weekday two days from now (UTC) and its midnight: closed now, opening then. */
function dayAfterTomorrow(): { weekday: number; opensAt: string } {
	const midnight = Math.floor(Date.now() / DAY) * DAY + 2 * DAY;
	return { weekday: new Date(midnight).getUTCDay(), opensAt: new Date(midnight).toISOString() };
}

describe('Chatwoot › Agent › Get Availability', () => {
	let sim: ChatwootSimulator;
	let seed: ChatwootSeed;
	let credentials: IDataObject;
	let ada: number;
	let alice: number;
	let bob: number;

	beforeEach(async () => {
		sim = await new ChatwootSimulator().start();
		seed = sim.seedAccount();
		ada = seed.admin.id;
		[alice, bob] = seed.agents.map((a) => a.id);
		for (const id of [ada, alice, bob]) sim.setAgentAvailability(id, 'offline');
		credentials = { baseUrl: sim.baseUrl, accountId: String(seed.accountId), apiAccessToken: seed.userToken };
	});

	afterEach(async () => {
		await sim.stop();
	});

	const run = async (parameters: IDataObject = {}, credentialChanges: IDataObject = {}) => {
		const [output] = await harness.execute(node, {
			parameters: { resource: 'agent', operation: 'getAvailability', ...parameters } as never,
			credentials: { chatwootApi: { ...credentials, ...credentialChanges } } as never,
		});
		expect(output).toHaveLength(1);
		return output[0].json;
	};
	const locator = (id: number | string) => ({ __rl: true, mode: 'id', value: String(id) });

	it('answers not available, with the count 0, when nobody is online', async () => {
		sim.setAgentAvailability(alice, 'busy');
		expect(await run()).toEqual({
			available: false,
			agentsAvailable: 0,
			agents: expect.arrayContaining([
				{ id: String(ada), name: 'Ada Admin', status: 'offline' },
				{ id: String(alice), name: 'Alice Agent', status: 'busy' },
				{ id: String(bob), name: 'Bob Agent', status: 'offline' },
			]),
			teamId: null,
			inboxId: null,
			inboxName: null,
		});
	});

	it('does not count an agent online outside the team', async () => {
		sim.setAgentAvailability(ada, 'online');
		const answer = await run({ teamId: locator(seed.team.id) });
		expect(answer).toMatchObject({ available: false, agentsAvailable: 0, teamId: seed.team.id });
		expect((answer.agents as IDataObject[]).map((a) => a.id).sort()).toEqual([String(alice), String(bob)].sort());
	});

	it('answers available when an agent of the team (and inbox) is online', async () => {
		sim.setAgentAvailability(bob, 'online');
		expect(await run({ teamId: locator(seed.team.id) })).toMatchObject({ available: true, agentsAvailable: 1 });
		sim.setInboxMembers(seed.apiInbox.id, [alice]);
		expect(await run({ teamId: locator(seed.team.id), inboxId: locator(seed.apiInbox.id) })).toMatchObject({
			available: false,
			agents: [{ id: String(alice), name: 'Alice Agent', status: 'offline' }],
			inboxId: seed.apiInbox.id,
			inboxName: 'Bot channel',
		});
		sim.setInboxMembers(seed.apiInbox.id, [alice, bob]);
		expect(await run({ inboxId: locator(seed.apiInbox.id) })).toMatchObject({ available: true, agentsAvailable: 1 });
	});

	it("answers not available outside the inbox's business hours, with the next opening", async () => {
		sim.setAgentAvailability(bob, 'online');
		sim.setInboxMembers(seed.apiInbox.id, [bob]);
		const { weekday, opensAt } = dayAfterTomorrow();
		const schedule = [0, 1, 2, 3, 4, 5, 6].map((day) => ({
			day_of_week: day,
			closed_all_day: day !== weekday,
			open_hour: day === weekday ? 0 : null,
			open_minutes: day === weekday ? 0 : null,
			close_hour: day === weekday ? 23 : null,
			close_minutes: day === weekday ? 59 : null,
			open_all_day: day === weekday,
		}));
		sim.setInboxWorkingHours(seed.apiInbox.id, { enabled: true, timezone: 'UTC', schedule });
		expect(await run({ inboxId: locator(seed.apiInbox.id) })).toMatchObject({
			available: false,
			agentsAvailable: 1,
			open: false,
			opensAt,
			closesAt: null,
			timeZone: 'UTC',
		});
		expect(await run({ inboxId: locator(seed.apiInbox.id), useWorkingHours: false })).toMatchObject({ available: true });
		// Switched off in Chatwoot, they do not count either.
		sim.setInboxWorkingHours(seed.apiInbox.id, { enabled: false });
		expect(await run({ inboxId: locator(seed.apiInbox.id) })).not.toHaveProperty('open');
	});

	it("applies the node's own Business Hours", async () => {
		sim.setAgentAvailability(bob, 'online');
		const { weekday, opensAt } = dayAfterTomorrow();
		const days = Object.fromEntries(WEEK.map((name, d) => [name, d === weekday ? '00:00-24:00' : '']));
		expect(await run({ businessHours: { schedule: { timeZone: 'UTC', ...days } } })).toMatchObject({ available: false, open: false, opensAt });
	});

	it('names the parameter that is wrong', async () => {
		const hours = await run({ businessHours: { schedule: { timeZone: 'UTC', friday: '17:00-09:00, 8-9' } } }).catch((e: unknown) => e);
		expect(hours).toBeInstanceOf(NodeOperationError);
		expect((hours as Error).message).toBe('"Business Hours › Friday": "8-9" is not a time range like 09:00-17:00: write HH:MM-HH:MM');
		const team = await run({ teamId: locator('support') }).catch((e: unknown) => e);
		expect(team).toBeInstanceOf(NodeOperationError);
		expect((team as Error).message).toBe('"Team" must be a Chatwoot ID (a whole number), got "support"');
	});

	it("surfaces Chatwoot's refusals as API errors naming the call", async () => {
		const unknownTeam = await run({ teamId: locator(999) }).catch((e: unknown) => e);
		expect(unknownTeam).toBeInstanceOf(NodeApiError);
		expect((unknownTeam as Error).message).toMatch(/^Chatwoot refused "list team members" \(404\)/);
		const wrongToken = await run({}, { apiAccessToken: 'wrong' }).catch((e: unknown) => e);
		expect(wrongToken).toBeInstanceOf(NodeApiError);
		expect((wrongToken as Error).message).toMatch(/^Chatwoot refused "list agents" \(401\)/);
	});
});
