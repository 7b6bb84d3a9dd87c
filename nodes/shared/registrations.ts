import type { IDataObject } from 'n8n-workflow';

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
