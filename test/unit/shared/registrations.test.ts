/**
 * The registration lifecycle the Landbot, LiveChat and Tiledesk triggers share, run in n8n's real
 * HookContext against an in-memory platform.
 */
import type { IDataObject, INodeType } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import type { Registration, RegistrationSpec, RegistrationStore } from '../../../nodes/shared';
import { registrationLifecycle, registrationList } from '../../../nodes/shared';
import { createHarness } from '../../helpers/harness';

const URL = 'https://n8n.example.com/webhook/abc/webhook';
const OTHER_URL = 'https://zapier.example.com/hooks/1';

interface Stored extends Registration {
	event: string;
	step?: string;
}

interface Remote {
	id: string;
	event: string;
	url: string;
}

/** A platform holding registrations; every call is logged in order. */
function platform({ failOn }: { failOn?: string } = {}) {
	const remote: Remote[] = [];
	const log: string[] = [];
	let next = 1;
	const spec: RegistrationSpec<Stored> = {
		store: registrationList<Stored>('subscriptions', (entry) => entry.event),
		kinds: (context) => context.getNodeParameter('events', []) as string[],
		listOurs: async (_context, url) => {
			log.push('list');
			return remote.filter((entry) => entry.url === url).map((entry) => ({ id: entry.id, kind: entry.event }));
		},
		validate: async () => {
			log.push('validate');
		},
		prepare: async () => {
			log.push('prepare');
		},
		register: async (_context, event, url, save) => {
			const id = `s${next++}`;
			log.push(`register ${event}`);
			remote.push({ id, event, url });
			save({ id, event, secret: `provisional-${id}`, step: 'created' });
			if (event === failOn) throw new Error(`refused ${event}`);
			return { id, event, secret: `secret-${id}` };
		},
		finish: async () => {
			log.push('finish');
		},
		unregister: async (_context, id, held) => {
			log.push(`unregister ${id}${held ? '' : ' (stale)'}`);
			const index = remote.findIndex((entry) => entry.id === id);
			if (index >= 0) remote.splice(index, 1);
		},
	};
	return { remote, log, spec };
}

function nodeWith(spec: RegistrationSpec<Stored>): INodeType {
	return {
		description: {
			displayName: 'Lifecycle Trigger',
			name: 'lifecycleTrigger',
			group: ['trigger'],
			version: 1,
			description: 'Test node',
			defaults: { name: 'Lifecycle Trigger' },
			inputs: [],
			outputs: [NodeConnectionTypes.Main],
			webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
			properties: [{ displayName: 'Events', name: 'events', type: 'json', default: [] }],
		},
		webhookMethods: { default: registrationLifecycle(spec) },
	};
}

const harness = createHarness({ credentialTypes: [] });

function hook(spec: RegistrationSpec<Stored>, method: 'checkExists' | 'create' | 'delete', staticData: IDataObject, events: string[]) {
	return harness.hook(nodeWith(spec), method, { parameters: { events } as never, staticData, webhookUrl: URL });
}

describe('registrationLifecycle: create', () => {
	it('validates, prepares, registers each chosen kind once in order, saving as it goes, then finishes', async () => {
		const { spec, log } = platform();
		const staticData: IDataObject = {};
		expect((await hook(spec, 'create', staticData, ['a', 'b', 'a'])).result).toBe(true);
		expect(log).toEqual(['validate', 'prepare', 'register a', 'register b', 'finish']);
		expect(staticData).toEqual({
			subscriptions: [
				{ id: 's1', event: 'a', secret: 'secret-s1' },
				{ id: 's2', event: 'b', secret: 'secret-s2' },
			],
		});
	});

	it('keeps what it registered when one fails, the failing one as saved before its last step, and does not finish', async () => {
		const { spec, log } = platform({ failOn: 'b' });
		const staticData: IDataObject = {};
		await expect(hook(spec, 'create', staticData, ['a', 'b', 'c'])).rejects.toThrow('refused b');
		expect(log).toEqual(['validate', 'prepare', 'register a', 'register b']);
		expect(staticData.subscriptions).toEqual([
			{ id: 's1', event: 'a', secret: 'secret-s1' },
			{ id: 's2', event: 'b', secret: 'provisional-s2', step: 'created' },
		]);

		// delete() then removes both.
		await hook(spec, 'delete', staticData, ['a', 'b', 'c']);
		expect(log.slice(-2)).toEqual(['unregister s1', 'unregister s2']);
		expect(staticData).toEqual({});
	});

	it('refuses without a chosen kind after validating, before preparing or registering anything', async () => {
		const { spec, log } = platform();
		const staticData: IDataObject = {};
		await expect(hook(spec, 'create', staticData, [])).rejects.toThrow('Choose at least one of "Events"');
		expect(log).toEqual(['validate']);
		expect(staticData).toEqual({});
	});
});

describe('registrationLifecycle: checkExists', () => {
	it('is true when each chosen kind has one registration for our URL that we hold, changing nothing', async () => {
		const { spec, remote, log } = platform();
		remote.push({ id: 's1', event: 'a', url: URL }, { id: 's2', event: 'b', url: URL }, { id: 'z', event: 'a', url: OTHER_URL });
		const held = { subscriptions: [{ id: 's1', event: 'a', secret: 'x' }, { id: 's2', event: 'b', secret: 'y' }] };
		const staticData = structuredClone(held);
		expect((await hook(spec, 'checkExists', staticData, ['b', 'a'])).result).toBe(true);
		expect(log).toEqual(['list']);
		expect(staticData).toEqual(held);
	});

	it('unregisters every registration for our URL as stale and forgets static data when one is missing, unknown, extra or unchosen', async () => {
		const cases: Array<{ remote: Remote[]; events: string[] }> = [
			{ remote: [{ id: 's1', event: 'a', url: URL }], events: ['a', 'b'] },
			{ remote: [{ id: 's1', event: 'a', url: URL }, { id: 'stranger', event: 'b', url: URL }], events: ['a', 'b'] },
			{ remote: [{ id: 's1', event: 'a', url: URL }, { id: 's2', event: 'b', url: URL }], events: ['a'] },
		];
		for (const { remote: listed, events } of cases) {
			const { spec, remote, log } = platform();
			remote.push(...listed, { id: 'z', event: 'a', url: OTHER_URL });
			const staticData: IDataObject = { subscriptions: [{ id: 's1', event: 'a', secret: 'x' }, { id: 's2', event: 'b', secret: 'y' }], other: 1 };
			expect((await hook(spec, 'checkExists', staticData, events)).result).toBe(false);
			expect(log).toEqual(['list', ...listed.map((entry) => `unregister ${entry.id} (stale)`)]);
			expect(remote).toEqual([{ id: 'z', event: 'a', url: OTHER_URL }]);
			expect(staticData).toEqual({ other: 1 });
		}
	});

	it('is false with nothing chosen, and can keep static data when told to', async () => {
		const { spec, remote, log } = platform();
		remote.push({ id: 's1', event: 'a', url: URL });
		const staticData: IDataObject = { subscriptions: [{ id: 's1', event: 'a', secret: 'x' }] };
		expect((await hook({ ...spec, keepHeldWhenIncomplete: true }, 'checkExists', staticData, [])).result).toBe(false);
		expect(log).toEqual(['list', 'unregister s1 (stale)']);
		expect(staticData).toEqual({ subscriptions: [{ id: 's1', event: 'a', secret: 'x' }] });
	});

	it('does not count a held registration without a secret', async () => {
		const { spec, remote } = platform();
		remote.push({ id: 's1', event: 'a', url: URL });
		const store: RegistrationStore<Stored> = {
			...spec.store,
			held: () => [{ id: 's1', event: 'a', secret: '' }],
		};
		expect((await hook({ ...spec, store }, 'checkExists', {}, ['a'])).result).toBe(false);
	});
});

describe('registrationLifecycle: delete', () => {
	it('unregisters every held registration, passing what is held, and forgets them', async () => {
		const { spec, remote } = platform();
		const seen: Array<Stored | undefined> = [];
		const unregister: RegistrationSpec<Stored>['unregister'] = async (context, id, held) => {
			seen.push(held);
			await spec.unregister(context, id, held);
		};
		remote.push({ id: 's1', event: 'a', url: URL });
		const staticData: IDataObject = { subscriptions: [{ id: 's1', event: 'a', secret: 'x' }, { id: 'gone', event: 'b', secret: 'y' }], other: 1 };
		expect((await hook({ ...spec, unregister }, 'delete', staticData, ['a'])).result).toBe(true);
		expect(seen).toEqual([{ id: 's1', event: 'a', secret: 'x' }, { id: 'gone', event: 'b', secret: 'y' }]);
		expect(remote).toEqual([]);
		expect(staticData).toEqual({ other: 1 });
	});
});
