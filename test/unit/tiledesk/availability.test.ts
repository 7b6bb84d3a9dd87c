/**
 * Agent › Get Availability against the Tiledesk simulator, in n8n-core's real execution context:
 * the department's group (departments/{id}/operators), the agents' statuses (project_users) and
 * the project's operating hours (projects/{id}) with the node's own Business Hours.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { TiledeskApi } from '../../../credentials/TiledeskApi.credentials';
import { Tiledesk } from '../../../nodes/Tiledesk/Tiledesk.node';
import { TiledeskSimulator } from '../../fakes/tiledesk';
import { createHarness } from '../../helpers/harness';

const OWNER = { email: 'owner@example.com', password: 'owner-pw' };
const DAY = 86_400_000;

const harness = createHarness({ credentialTypes: [new TiledeskApi()] });
const node = new Tiledesk();

/** An Etc/GMT zone where it is about noon now, so an "open all day" range cannot end during the test. */
function zoneAtNoon(): string {
	const offset = 12 - new Date().getUTCHours(); // -11 … +12
	return offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

/** The weekday two days from now in UTC, and the instant it starts: closed now, opening then. */
function dayAfterTomorrow(): { weekday: number; opensAt: string } {
	const midnight = Math.floor(Date.now() / DAY) * DAY + 2 * DAY;
	return { weekday: new Date(midnight).getUTCDay(), opensAt: new Date(midnight).toISOString() };
}

describe('Tiledesk › Agent › Get Availability', () => {
	let sim: TiledeskSimulator;
	let projectId: string;
	let defaultDepartmentId: string;
	let credentials: { tiledeskApi: IDataObject };
	let maria: string;
	let luca: string;

	beforeEach(async () => {
		sim = await new TiledeskSimulator({ timeScale: 0.01, retryJitter: false }).start();
		const created = sim.createProject({ name: 'Relay', owner: OWNER });
		projectId = created.project._id;
		defaultDepartmentId = created.department._id;
		maria = sim.createAgent(projectId, { email: 'maria@example.com', password: 'pw', firstname: 'Maria', lastname: 'Rossi', available: false }).user._id;
		luca = sim.createAgent(projectId, { email: 'luca@example.com', password: 'pw', firstname: 'Luca', lastname: 'Bianchi', available: false }).user._id;
		credentials = {
			tiledeskApi: { baseUrl: sim.baseUrl, projectId, authType: 'password', email: OWNER.email, password: OWNER.password },
		};
	});

	afterEach(async () => {
		await sim.stop();
	});

	const run = async (parameters: IDataObject = {}, credentialChanges: IDataObject = {}) => {
		const [output] = await harness.execute(node, {
			parameters: { resource: 'agent', operation: 'getAvailability', ...parameters } as never,
			credentials: { tiledeskApi: { ...credentials.tiledeskApi, ...credentialChanges } } as never,
		});
		expect(output).toHaveLength(1);
		return output[0].json;
	};
	const salesWith = (members: string[]) => {
		const sales = sim.createDepartment(projectId, { name: 'Sales' });
		sim.createGroup(projectId, { name: 'Sales team', members, departmentId: sales._id });
		return sales._id;
	};
	const inDepartment = (id: string) => ({ departmentId: { __rl: true, mode: 'id', value: id } });

	it('answers not available, with the count 0, when nobody is available', async () => {
		expect(await run()).toEqual({
			available: false,
			agentsAvailable: 0,
			agents: expect.arrayContaining([
				{ id: maria, name: 'Maria Rossi', status: 'unavailable' },
				{ id: luca, name: 'Luca Bianchi', status: 'unavailable' },
			]),
			departmentId: defaultDepartmentId,
			departmentName: 'Default Department',
		});
	});

	it('answers available when an agent of the (default) department is available', async () => {
		sim.setAgentAvailability(projectId, maria, true);
		const answer = await run();
		expect(answer).toMatchObject({ available: true, agentsAvailable: 1, departmentId: defaultDepartmentId });
		expect(answer.agents).toContainEqual({ id: maria, name: 'Maria Rossi', status: 'available' });
		// No operating hours switched on and no Business Hours: no hours in the answer.
		expect(answer).not.toHaveProperty('open');
	});

	it("does not count an agent available outside the department's group", async () => {
		const sales = salesWith([luca]);
		sim.setAgentAvailability(projectId, maria, true);
		expect(await run(inDepartment(sales))).toEqual({
			available: false,
			agentsAvailable: 0,
			agents: [{ id: luca, name: 'Luca Bianchi', status: 'unavailable' }],
			departmentId: sales,
			departmentName: 'Sales',
		});
	});

	it("answers available when an agent of the department's group is available", async () => {
		const sales = salesWith([luca]);
		sim.setAgentAvailability(projectId, luca, true);
		expect(await run(inDepartment(sales))).toMatchObject({
			available: true,
			agentsAvailable: 1,
			agents: [{ id: luca, name: 'Luca Bianchi', status: 'available' }],
			departmentId: sales,
		});
	});

	it('does not count an agent at the max of assigned chats (isBusy)', async () => {
		sim.setAgentAvailability(projectId, maria, true);
		sim.setAgentBusy(projectId, maria, true);
		const answer = await run();
		expect(answer).toMatchObject({ available: false, agentsAvailable: 0 });
		expect(answer.agents).toContainEqual({ id: maria, name: 'Maria Rossi', status: 'busy' });
	});

	it("answers not available outside the project's operating hours, with the next opening", async () => {
		sim.setAgentAvailability(projectId, maria, true);
		const { weekday, opensAt } = dayAfterTomorrow();
		sim.setOperatingHours(projectId, { tzname: 'UTC', [weekday]: [{ start: '00:00', end: '23:59' }] });
		expect(await run()).toMatchObject({ available: false, agentsAvailable: 1, open: false, opensAt, closesAt: null, timeZone: 'UTC' });
		// Switched off in the node, the project's hours do not count.
		expect(await run({ useOperatingHours: false })).toMatchObject({ available: true });
	});

	it("answers available within the project's operating hours, with the closing", async () => {
		sim.setAgentAvailability(projectId, maria, true);
		const tzname = zoneAtNoon();
		const allWeek = Object.fromEntries([0, 1, 2, 3, 4, 5, 6].map((d) => [d, [{ start: '00:00', end: '23:59' }]]));
		sim.setOperatingHours(projectId, { tzname, ...allWeek });
		const answer = await run();
		expect(answer).toMatchObject({ available: true, open: true, opensAt: null, timeZone: tzname });
		expect(Date.parse(String(answer.closesAt))).toBeGreaterThan(Date.now());
	});

	it("applies the node's own Business Hours too", async () => {
		sim.setAgentAvailability(projectId, maria, true);
		const { weekday, opensAt } = dayAfterTomorrow();
		const names = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
		const days = Object.fromEntries(names.map((name, d) => [name, d === weekday ? '00:00-24:00' : '']));
		expect(await run({ businessHours: { schedule: { timeZone: 'UTC', ...days } } })).toMatchObject({
			available: false,
			agentsAvailable: 1,
			open: false,
			opensAt,
			timeZone: 'UTC',
		});
	});

	it('names the Business Hours field that is wrong', async () => {
		const bad = async (schedule: IDataObject) => {
			const error = await run({ businessHours: { schedule } }).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(NodeOperationError);
			return (error as Error).message;
		};
		expect(await bad({ monday: '25:00-26:00' })).toBe(
			'"Business Hours › Monday": "25:00-26:00" is not a time range like 09:00-17:00: 25:00 is no time of day',
		);
		expect(await bad({ timeZone: 'Europe/Atlantis' })).toMatch(/^"Business Hours › Time Zone": "Europe\/Atlantis" is not an IANA time zone/);
		expect(await bad({ closedDates: '2026-02-30' })).toMatch(/^"Business Hours › Closed Dates": "2026-02-30" is not a date/);
		const closedAllWeek = Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => [d, '']));
		expect(await bad(closedAllWeek)).toBe('"Business Hours" opens on no day');
	});

	it("says so when the project's operating hours are switched on but cannot be read", async () => {
		sim.setOperatingHours(projectId, { '1': [{ start: '09:00', end: '18:00' }] });
		const noZone = await run().catch((e: unknown) => e);
		expect(noZone).toBeInstanceOf(NodeOperationError);
		expect((noZone as Error).message).toBe("The Tiledesk project's operating hours can't be read: The time zone is empty (e.g. Europe/Berlin)");
		sim.setOperatingHours(projectId, 'not json');
		await expect(run()).rejects.toThrow("The Tiledesk project's operating hours can't be read: they are not JSON");
	});

	it("surfaces Tiledesk's refusals as API errors naming the call", async () => {
		const wrongPassword = await run({}, { password: 'nope' }).catch((e: unknown) => e);
		expect(wrongPassword).toBeInstanceOf(NodeApiError);
		expect((wrongPassword as Error).message).toMatch(/^Tiledesk refused "get project" \(401\)/);

		const unknown = await run(inDepartment('65c5f4a89faf2d04cd7da5b1')).catch((e: unknown) => e);
		expect(unknown).toBeInstanceOf(NodeApiError);
		expect((unknown as Error).message).toMatch(/^Tiledesk refused "get department operators" \(500\): Department not found/);
	});
});
