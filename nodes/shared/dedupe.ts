import type { IDataObject } from 'n8n-workflow';

export interface RecentIdsOptions {
	/** How many ids to remember at most; the oldest are forgotten first. */
	max?: number;
	/** How long an id is remembered. Platforms retry for minutes, not hours. */
	ttlMs?: number;
	now?: number;
}

type SeenEntry = [id: string, at: number];

/**
 * A bounded window of recently seen delivery/message ids, kept in the node's static data so it
 * survives restarts and is shared by every n8n process (n8n saves a webhook's static data after
 * each call; concurrent writers are last-write-wins, which at worst lets a duplicate through).
 *
 * Returns true when `id` was seen inside the window (a duplicate), otherwise records it.
 */
export function seenRecently(
	store: IDataObject,
	key: string,
	id: string,
	{ max = 500, ttlMs = 60 * 60 * 1000, now = Date.now() }: RecentIdsOptions = {},
): boolean {
	const stored = Array.isArray(store[key]) ? (store[key] as unknown as SeenEntry[]) : [];
	// An array, oldest first: object keys that look like integers would not keep insertion order.
	const window = stored.filter(([, at]) => now - at <= ttlMs);
	const duplicate = window.some(([seenId]) => seenId === id);
	if (!duplicate) window.push([id, now]);
	store[key] = window.slice(-max) as unknown as IDataObject[];
	return duplicate;
}
