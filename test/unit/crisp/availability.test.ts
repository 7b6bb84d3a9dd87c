/**
 * Operator › Get Availability against the Crisp simulator, in n8n-core's real execution context:
 * the operators' availability (operators/list), optionally of one inbox's operators (inbox/{id}),
 * with the node's own Business Hours.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { CrispApi } from '../../../credentials/CrispApi.credentials';
import { Crisp } from '../../../nodes/Crisp/Crisp.node';
import { CrispSimulator } from '../../fakes/crisp';
import type { CrispSeed } from '../../fakes/crisp';
import { createHarness } from '../../helpers/harness';

const DAY = 86_400_000;
const WEEK = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const harness = createHarness({ credentialTypes: [new CrispApi()] });
const node = new Crisp();

/** Business Hours open only the day after tomorrow (UTC): closed now, opening at its midnight. */
function openDayAfterTomorrow(): { schedule: IDataObject; opensAt: string } {
	const midnight = Math.floor(Date.now() / DAY) * DAY + 2 * DAY;
	const weekday = new Date(midnight).getUTCDay();
	const days = Object.fromEntries(WEEK.map((name, d) => [name, d === weekday ? '00:00-24:00' : '']));
	return { schedule: { timeZone: 'UTC', ...days }, opensAt: new Date(midnight).toISOString() };
}

describe('Crisp › Operator › Get Availability', () => {
	let sim: CrispSimulator;
	let seed: CrispSeed;
	let credentials: IDataObject;
	let ada: string;
	let alice: string;
	let bob: string;
	let salesInbox: string;

	beforeEach(async () => {
		sim = await new CrispSimulator({ timeScale: 0.001 }).start();
		seed = sim.seedWebsite({ name: 'Acme Support' });
		[ada, alice] = seed.operators.map((o) => o.userId);
		bob = sim.addOperator(seed.websiteId, { email: 'bob@example.com', firstName: 'Bob', lastName: 'Sales' }).userId;
		salesInbox = sim.addInbox(seed.websiteId, { name: 'Sales', operators: [bob] }).inboxId;
		for (const userId of [ada, alice, bob]) sim.setOperatorAvailability(seed.websiteId, userId, 'offline');
		credentials = {
			tier: 'plugin',
			identifier: seed.pluginToken.identifier,
			tokenKey: seed.pluginToken.key,
			websiteId: seed.websiteId,
			hookSecret: seed.pluginSecret,
			apiUrl: sim.baseUrl,
		};
	});

	afterEach(async () => {
		await sim.stop();
	});

	const run = async (parameters: IDataObject = {}, credentialChanges: IDataObject = {}) => {
		const [output] = await harness.execute(node, {
			parameters: { resource: 'agent', operation: 'getAvailability', ...parameters } as never,
			credentials: { crispApi: { ...credentials, ...credentialChanges } } as never,
		});
		expect(output).toHaveLength(1);
		return output[0].json;
	};
	const inInbox = (id: string) => ({ inboxId: { __rl: true, mode: 'id', value: id } });

	it('answers not available, with the count 0, when nobody is online', async () => {
		sim.setOperatorAvailability(seed.websiteId, alice, 'away');
		expect(await run()).toEqual({
			available: false,
			agentsAvailable: 0,
			agents: [
				{ id: ada, name: 'Ada Owner', status: 'offline' },
				{ id: alice, name: 'Alice Agent', status: 'away' },
				{ id: bob, name: 'Bob Sales', status: 'offline' },
			],
			websiteId: seed.websiteId,
			inboxId: null,
			inboxName: null,
		});
	});

	it("does not count an operator online outside the inbox's operators", async () => {
		sim.setOperatorAvailability(seed.websiteId, alice, 'online');
		expect(await run(inInbox(salesInbox))).toEqual({
			available: false,
			agentsAvailable: 0,
			agents: [{ id: bob, name: 'Bob Sales', status: 'offline' }],
			websiteId: seed.websiteId,
			inboxId: salesInbox,
			inboxName: 'Sales',
		});
	});

	it("answers available when an operator of the inbox is online", async () => {
		sim.setOperatorAvailability(seed.websiteId, bob, 'online');
		expect(await run(inInbox(salesInbox))).toMatchObject({
			available: true,
			agentsAvailable: 1,
			agents: [{ id: bob, name: 'Bob Sales', status: 'online' }],
			inboxId: salesInbox,
		});
		expect(await run()).toMatchObject({ available: true, agentsAvailable: 1 });
	});

	it('answers not available outside the Business Hours, with the next opening', async () => {
		sim.setOperatorAvailability(seed.websiteId, bob, 'online');
		const { schedule, opensAt } = openDayAfterTomorrow();
		expect(await run({ businessHours: { schedule } })).toMatchObject({
			available: false,
			agentsAvailable: 1,
			open: false,
			opensAt,
			closesAt: null,
			timeZone: 'UTC',
		});
	});

	it('names the parameter that is wrong', async () => {
		const hours = await run({ businessHours: { schedule: { timeZone: 'Nowhere/City', monday: '09:00-17:00' } } }).catch((e: unknown) => e);
		expect(hours).toBeInstanceOf(NodeOperationError);
		expect((hours as Error).message).toMatch(/^"Business Hours › Time Zone": "Nowhere\/City" is not an IANA time zone/);

		const inbox = await run(inInbox('sales')).catch((e: unknown) => e);
		expect(inbox).toBeInstanceOf(NodeOperationError);
		expect((inbox as Error).message).toBe('"Inbox" must be a Crisp ID (a UUID), got "sales"');
	});

	it("surfaces Crisp's refusals as API errors naming the call", async () => {
		const unknownInbox = await run(inInbox('4d6f2c3e-5b1a-4f0e-8c7d-9e2a1b3c4d5e')).catch((e: unknown) => e);
		expect(unknownInbox).toBeInstanceOf(NodeApiError);
		expect((unknownInbox as Error).message).toMatch(/^Crisp refused "get inbox" \(404\)/);

		const wrongKey = await run({}, { tokenKey: 'wrong' }).catch((e: unknown) => e);
		expect(wrongKey).toBeInstanceOf(NodeApiError);
		expect((wrongKey as Error).message).toMatch(/^Crisp refused "list operators" \(401\)/);
	});
});
