import type { IDataObject, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

import type { DeliveryTicketInput } from './deliveryTurn';
import type { RetryPolicy } from './request';
import { stampSourceKeys } from './sourceKeys';

/** The read-back and the mark hold the platform's answer: a couple of quick tries, then the relay goes on without. */
export const CATCH_UP_RETRY: RetryPolicy = { maxAttempts: 2, baseDelayMs: 250, maxDelayMs: 1000, maxTotalMs: 3000 };
export const CATCH_UP_TIMEOUT_MS = 5000;

/**
 * Catching up after an outage longer than the platform's retries (docs/delivery-guarantees.md,
 * "Catch-up"). A platform that gave up on deliveries during an outage never sends them again, so
 * the trigger reads them back from the conversation itself. What was relayed is recorded in the
 * platform, beside the conversation (a mark, written before the platform gets its 200), because
 * this process's memory does not survive the outage. When a conversation's delivery reaches a
 * process that has not relayed that conversation since it started (or pushed one of its
 * deliveries back), the trigger reads the events after the mark and before this one, and relays
 * them first, in the same execution, in order. The same mark drops a retry of something relayed
 * before a crash.
 */
export interface CatchUp {
	/**
	 * What the conversation holds that was never relayed, before this delivery: the events after the
	 * mark, and those anywhere before it whose key is in `gaps` (pushed back by this process and not
	 * relayed since, so a later relay may have moved the mark past them). Or that this one was relayed.
	 */
	missed(context: IWebhookFunctions, gaps: ReadonlySet<string>): Promise<MissedEvents>;
	/** Records, in the platform, that these items were relayed (the last one marks the conversation). */
	mark(context: IWebhookFunctions, items: INodeExecutionData[]): Promise<void>;
}

export interface MissedEvents {
	/** The mark says this very delivery was relayed already (a retry after a crash). */
	relayed: boolean;
	/** Deliveries never relayed, oldest first: each its delivery key and its items. */
	missed: Array<{ key: string; items: INodeExecutionData[] }>;
}

/** This delivery with the missed ones in front of it, in order, their keys carried along. */
export function withMissed(delivery: DeliveryTicketInput, missed: MissedEvents['missed']): DeliveryTicketInput {
	if (missed.length === 0) return delivery;
	const items = [...missed.flatMap((entry) => stampSourceKeys(entry.key, entry.items)), ...delivery.items];
	const times = items.map((item) => Date.parse(String(item.json.timestamp ?? ''))).filter(Number.isFinite);
	return {
		...delivery,
		items,
		alsoKeys: [...(delivery.alsoKeys ?? []), ...missed.map((entry) => entry.key)],
		order: times.length ? Math.min(delivery.order, ...times) : delivery.order,
		size: (delivery.size ?? 0) + JSON.stringify(missed).length,
	};
}

/**
 * What to mark, per conversation: the last of the platform's messages among an execution's items (it
 * may carry several conversations, batching across them). `markOf` gives the mark of one event, or
 * null for an item that is not one of the platform's messages.
 */
export async function markEach(
	items: INodeExecutionData[],
	markOf: (event: IDataObject) => string | null,
	write: (conversation: string, mark: string) => Promise<unknown>,
): Promise<void> {
	const last = new Map<string, string>();
	for (const { json } of items) {
		const mark = json.event === 'message' ? markOf(json) : null;
		if (mark) last.set(String(json.conversationId), mark);
	}
	await Promise.all([...last].map(async ([conversation, mark]) => await write(conversation, mark)));
}
