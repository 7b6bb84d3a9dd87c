import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { secretsMatch } from './secret';

/**
 * A webhook a trigger registered at a platform (a subscription, a hook), as kept in its static data:
 * the platform's id and the secret it was given, beside what it delivers (an event or action).
 */
export interface Registration {
	id: string;
	secret: string;
}

/** The registrations kept under `key`, dropping malformed entries (a secret is never empty). */
export function storedRegistrations<T extends Registration>(staticData: IDataObject, key: string): T[] {
	const list = staticData[key];
	if (!Array.isArray(list)) return [];
	return (list as unknown as T[]).filter(
		(entry) => entry && typeof entry.id === 'string' && typeof entry.secret === 'string' && entry.secret !== '',
	);
}

/** Whether `received` is the secret of any registration; every one is compared, in constant time each. */
export function matchesAnySecret(registrations: Registration[], received: unknown): boolean {
	let authorized = false;
	for (const registration of registrations) {
		if (secretsMatch(registration.secret, received)) authorized = true;
	}
	return authorized;
}

/**
 * Whether the platform holds exactly one registration per wanted kind (event, action) for our URL,
 * each one we hold the secret of. Anything else (lost static data, changed events) calls for
 * registering afresh.
 */
export function registrationsComplete(
	wanted: string[],
	remote: Array<{ id: string; kind: string }>,
	held: Array<{ id: string; kind: string }>,
): boolean {
	return (
		wanted.length > 0 &&
		remote.length === wanted.length &&
		wanted.every((kind) =>
			remote.some((r) => r.kind === kind && held.some((entry) => entry.id === r.id && entry.kind === kind)),
		)
	);
}

/** How a trigger keeps its registrations in static data. */
export interface RegistrationStore<R extends Registration> {
	/** What static data holds: checkExists() compares it with the platform, delete() unregisters it. */
	held(staticData: IDataObject): R[];
	/** The event or action a registration delivers. */
	kindOf(registration: R): string;
	save(staticData: IDataObject, registrations: R[]): void;
	forget(staticData: IDataObject): void;
}

/** Registrations kept as a list under `key`. */
export function registrationList<R extends Registration>(key: string, kindOf: (registration: R) => string): RegistrationStore<R> {
	return {
		held: (staticData) => storedRegistrations<R>(staticData, key),
		kindOf,
		save: (staticData, registrations) => {
			staticData[key] = registrations as unknown as IDataObject[];
		},
		forget: (staticData) => {
			delete staticData[key];
		},
	};
}

/** A registration as the platform lists it. */
export interface ListedRegistration {
	id: string;
	kind: string;
}

/** What a platform's trigger tells `registrationLifecycle`; the optional steps run in create() in this order. */
export interface RegistrationSpec<R extends Registration> {
	store: RegistrationStore<R>;
	/** The chosen kinds (events, actions): one registration each. */
	kinds(context: IHookFunctions): string[];
	/** The platform's registrations for our webhook URL. */
	listOurs(context: IHookFunctions, url: string): Promise<ListedRegistration[]>;
	/** Refuses settings that cannot work, before the chosen kinds are checked and anything is written. */
	validate?(context: IHookFunctions): Promise<void>;
	/** Set-up at the platform before registering. */
	prepare?(context: IHookFunctions): Promise<void>;
	/** Registers one kind; `save` keeps a registration before its last step, so delete() can remove it. */
	register(context: IHookFunctions, kind: string, url: string, save: (registration: R) => void): Promise<R>;
	/** Set-up at the platform once everything is registered. */
	finish?(context: IHookFunctions): Promise<void>;
	/** Unregisters one, taking a 404 as done; `held` is undefined for a stale one checkExists() found. */
	unregister(context: IHookFunctions, id: string, held?: R): Promise<void>;
	/** Whether checkExists() keeps static data when it finds the registrations incomplete (default: forgets). */
	keepHeldWhenIncomplete?: boolean;
}

/** Publishing with nothing chosen would register nothing and receive nothing. */
export function requireEvents(context: IHookFunctions, kinds: unknown[]): void {
	if (kinds.length === 0) throw new NodeOperationError(context.getNode(), 'Choose at least one of "Events"');
}

/** n8n's webhookMethods for a trigger that registers one webhook per chosen kind at the platform. */
export function registrationLifecycle<R extends Registration>(spec: RegistrationSpec<R>) {
	const { store } = spec;
	const chosen = (context: IHookFunctions) => [...new Set(spec.kinds(context))];
	return {
		async checkExists(this: IHookFunctions): Promise<boolean> {
			const staticData = this.getWorkflowStaticData('node');
			const wanted = chosen(this);
			const ours = await spec.listOurs(this, this.getNodeWebhookUrl('default') as string);
			// Without its secret a registration's deliveries could never be verified.
			const held = store.held(staticData).filter((registration) => registration.secret !== '');
			const heldKinds = held.map((registration) => ({ id: registration.id, kind: store.kindOf(registration) }));
			if (registrationsComplete(wanted, ours, heldKinds)) return true;
			// Registrations for our URL we cannot verify, or for kinds no longer chosen: create() registers afresh.
			for (const registration of ours) await spec.unregister(this, registration.id);
			if (!spec.keepHeldWhenIncomplete) store.forget(staticData);
			return false;
		},

		async create(this: IHookFunctions): Promise<boolean> {
			const staticData = this.getWorkflowStaticData('node');
			const url = this.getNodeWebhookUrl('default') as string;
			await spec.validate?.(this);
			const kinds = chosen(this);
			requireEvents(this, kinds);
			await spec.prepare?.(this);
			const created: R[] = [];
			for (const kind of kinds) {
				// Saved as they come: a failure half-way still lets delete() remove what exists.
				const registration = await spec.register(this, kind, url, (partial) => store.save(staticData, [...created, partial]));
				created.push(registration);
				store.save(staticData, [...created]);
			}
			await spec.finish?.(this);
			return true;
		},

		async delete(this: IHookFunctions): Promise<boolean> {
			const staticData = this.getWorkflowStaticData('node');
			for (const registration of store.held(staticData)) await spec.unregister(this, registration.id, registration);
			store.forget(staticData);
			return true;
		},
	};
}
