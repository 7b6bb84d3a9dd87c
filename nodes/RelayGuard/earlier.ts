import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { orderOf, sentAtOf } from './order';

/**
 * Waiting for earlier messages the source lists. A hold-back guesses how late a straggler may be; on
 * a busy n8n one can be later than any guess. When the execution already holds the conversation's
 * messages as the source lists them (Teams' thread replies), the guard knows which earlier ones
 * have not reached it yet, and waits for those: order by knowledge, not by timing.
 */

export interface EarlierMessage {
	id: string;
	/** Its place, read like Order, when the list gives it. */
	order?: number;
}

/** How often a waiting message looks whether the earlier ones have come. */
const POLL_MS = 50;
/** Earlier messages given up on, per guard, so that the next messages do not wait for them again. */
const givenUp = new Map<string, Map<string, number>>();
const GIVEN_UP_MAX = 5000;

/**
 * The Earlier Messages parameter: a list (or its JSON) of message IDs, or of `{ messageId, order }`
 * objects (`id` taken too) whose `order` is read like Order. A NodeOperationError names the parameter when it is none of these.
 */
export function earlierMessagesOf(this: IExecuteFunctions, value: unknown, index: number): EarlierMessage[] {
	if (value === undefined || value === null || value === '') return [];
	let list: unknown = value;
	if (typeof list === 'string') {
		const text = list.trim();
		try {
			list = text.startsWith('[') ? (JSON.parse(text) as unknown) : text.split(',').map((id) => id.trim()).filter((id) => id !== '');
		} catch {
			list = undefined;
		}
	}
	const invalid = () =>
		new NodeOperationError(this.getNode(), 'Earlier Messages is not a list of message IDs', {
			itemIndex: index,
			description: "Give the IDs of the conversation's messages, as the source lists them, e.g. {{ $('Replies').all().map(r => ({ messageId: r.json.id, order: r.json.createdDateTime })) }}.",
		});
	if (!Array.isArray(list)) throw invalid();
	return list.map((entry: unknown): EarlierMessage => {
		if (typeof entry === 'string' || typeof entry === 'number') return { id: String(entry) };
		if (typeof entry === 'object' && entry !== null) {
			const { messageId, id, order } = entry as { messageId?: unknown; id?: unknown; order?: unknown };
			const key = messageId ?? id;
			if (typeof key === 'string' || typeof key === 'number') return { id: String(key), order: orderOf(order) };
		}
		throw invalid();
	});
}

/**
 * Waits until every earlier message has reached the guard (`seen`: going on, or gone on), for at
 * most `windowMs`. With orders given, only those before this one count, and when they are times,
 * only those sent at most `windowMs` before it (an older one would have come by now). Those still
 * missing at the end are given up on: a later message does not wait for them again. How many it
 * waited for.
 */
export async function waitForEarlier(
	guardId: string,
	earlier: EarlierMessage[],
	current: { ids: string[]; order: number },
	seen: (id: string) => boolean,
	windowMs: number,
	cancelled?: AbortSignal,
): Promise<number> {
	const skipped = givenUp.get(guardId) ?? new Map<string, number>();
	givenUp.set(guardId, skipped);
	const now = Date.now();
	const sentAt = sentAtOf(current.order, now);
	const recent = (order: number) => {
		const at = sentAtOf(order, now);
		return at === undefined || sentAt === undefined || at >= sentAt - windowMs;
	};
	const missing = earlier.filter(
		(message) =>
			!current.ids.includes(message.id) &&
			!skipped.has(message.id) &&
			(message.order === undefined || (message.order < current.order && recent(message.order))) &&
			!seen(message.id),
	);
	const deadline = now + windowMs;
	let waiting = missing;
	while (waiting.length > 0 && Date.now() < deadline && !cancelled?.aborted) {
		await sleep(POLL_MS);
		waiting = waiting.filter((message) => !seen(message.id));
	}
	for (const message of waiting) {
		skipped.set(message.id, Date.now());
		if (skipped.size > GIVEN_UP_MAX) skipped.delete(skipped.keys().next().value as string);
	}
	return missing.length;
}
