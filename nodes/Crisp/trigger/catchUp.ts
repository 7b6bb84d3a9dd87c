import type { IDataObject, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

import type { CatchUp, MissedEvents } from '../../shared';
import { CATCH_UP_RETRY, CATCH_UP_TIMEOUT_MS, idToString, isObject, numberOf } from '../../shared';
import type { RelayMark } from '../marker';
import { advanceRelayMark, formatRelayMark, isAfterMark, readRelayMark, RELAYED_FIELD } from '../marker';
import { crispApi, crispList, segment, updateMetaData } from '../transport';
import type { Delivery } from './delivery';
import { parseDelivery, readBackBody, toEvent } from './delivery';

/**
 * Crisp retries a failed hook a few times on a schedule it does not document (docs/platforms/crisp.md),
 * then gives up: what n8n missed for longer is never sent again. So the trigger reads the
 * conversation back (docs/delivery-guarantees.md, point 6). The mark is `meta.data.n8n_handoff_relayed`
 * (marker.ts: the timestamp of the last relayed message and the fingerprints relayed at that very
 * millisecond), written after each relay through `updateMetaData`, which keeps the other keys of
 * `data`. The messages come from `GET …/messages?timestamp_before=<ms>`, one batch of the newest
 * before it (size UNCONFIRMED, the simulator 40), paged back by the oldest timestamp of the batch.
 */

const NOTHING: MissedEvents = { relayed: false, missed: [] };
/** At most this many batches are read back per delivery (400 messages at 40). */
const MAX_PAGES = 10;
const READ_BACK = 'read the conversation back to catch up';

interface Listed {
	message: IDataObject;
	timestamp: number;
	fingerprint: string;
}

function listedOf(message: IDataObject): Listed | null {
	const timestamp = numberOf(message.timestamp);
	const fingerprint = idToString(message.fingerprint);
	return Number.isSafeInteger(timestamp) && fingerprint !== null ? { message, timestamp, fingerprint } : null;
}

/** Whether an ID can go into a URL (a lone surrogate cannot). */
function encodable(id: string): boolean {
	try {
		segment(id);
		return true;
	} catch {
		return false;
	}
}

/** A message's own time in ms, as Crisp lists it; NaN when it has none. */
function timestampOf(data: unknown): number {
	const timestamp = isObject(data) ? numberOf(data.timestamp) : Number.NaN;
	return Number.isSafeInteger(timestamp) ? timestamp : Number.NaN;
}

export function crispCatchUp(delivery: Delivery, wanted: (delivery: Delivery) => boolean): CatchUp {
	const { websiteId, sessionId } = delivery;
	const fingerprint = idToString(delivery.data.fingerprint);
	const at = timestampOf(delivery.data);
	// A session ID no URL can carry (a lone surrogate): nothing to read back or mark, the relay goes on.
	const path = encodable(sessionId) ? `conversation/${segment(sessionId)}` : null;
	const keyPrefix = `:${websiteId}:${sessionId}:`;

	/**
	 * The messages at or before this delivery's time, newest batch first, until the batch reaches
	 * back past `floor` and every key in `looking` is found (or the conversation's start, or the
	 * page limit). Each batch is asked for with the oldest timestamp seen + 1, so messages tied on a
	 * batch's edge are not skipped whether Crisp's bound is strict or not; a batch that brings
	 * nothing new steps strictly past the tie.
	 */
	async function readBefore(context: IWebhookFunctions, path: string, floor: number, looking: Set<string>): Promise<Listed[]> {
		const seen = new Set<string>();
		const pages: Listed[][] = [];
		let before = at + 1;
		let stepped = false;
		for (let page = 0; page < MAX_PAGES; page++) {
			const batch = await crispList.call(context, { call: READ_BACK, method: 'GET', path: `${path}/messages`, websiteId, qs: { timestamp_before: before }, retry: CATCH_UP_RETRY, timeoutMs: CATCH_UP_TIMEOUT_MS });
			const fresh = batch.map(listedOf).filter((listed): listed is Listed => listed !== null && listed.timestamp < before && !seen.has(listed.fingerprint));
			if (fresh.length === 0) {
				if (batch.length === 0 || stepped) break;
				before -= 1;
				stepped = true;
				continue;
			}
			stepped = false;
			for (const listed of fresh) {
				seen.add(listed.fingerprint);
				looking.delete(listed.fingerprint);
			}
			pages.push(fresh);
			const oldest = Math.min(...fresh.map((listed) => listed.timestamp));
			if (oldest < floor && looking.size === 0) break;
			before = oldest + 1;
		}
		// Oldest first; ties in the order Crisp listed them.
		return pages.reverse().flat().sort((a, b) => a.timestamp - b.timestamp);
	}

	return {
		async missed(context: IWebhookFunctions, gaps: ReadonlySet<string>): Promise<MissedEvents> {
			if (fingerprint === null || Number.isNaN(at) || path === null) return NOTHING;
			// The mark as it is now (a hook carries no meta).
			const meta = await crispApi.call(context, { call: READ_BACK, method: 'GET', path: `${path}/meta`, websiteId, retry: CATCH_UP_RETRY, timeoutMs: CATCH_UP_TIMEOUT_MS });
			const mark = readRelayMark(isObject(meta.data) ? meta.data[RELAYED_FIELD] : undefined);
			// The messages this process pushed back or failed to relay: their fingerprints end their keys.
			const gapFingerprints = [...gaps].filter((key) => key.startsWith('message:') && key.includes(keyPrefix)).map((key) => key.slice(key.lastIndexOf(':') + 1));
			// No mark: a conversation this package neither opened nor relayed; what was relayed is unknown,
			// but what this process pushed back (gaps) it knows it did not relay.
			if (mark === null && gapFingerprints.length === 0) return NOTHING;
			const floor = mark === null ? Number.POSITIVE_INFINITY : mark.timestamp;
			const listed = await readBefore(context, path, floor, new Set(gapFingerprints.filter((gap) => gap !== fingerprint)));
			const missed: MissedEvents['missed'] = [];
			for (const { message, timestamp, fingerprint: listedFingerprint } of listed) {
				if (listedFingerprint === fingerprint || timestamp > at) continue;
				const body = readBackBody(message, delivery);
				const parsed = body === null ? undefined : parseDelivery(body);
				if (parsed === undefined || !('value' in parsed) || !wanted(parsed.value)) continue;
				if (!(mark !== null && isAfterMark(mark, timestamp, listedFingerprint)) && !gaps.has(parsed.value.key)) continue;
				missed.push({ key: parsed.value.key, items: [{ json: toEvent(parsed.value) }] });
			}
			return { relayed: mark !== null && !isAfterMark(mark, at, fingerprint), missed };
		},

		async mark(context: IWebhookFunctions, items: INodeExecutionData[]): Promise<void> {
			// Per conversation (a batch may carry several), the latest message and the ones tied with it.
			const latest = new Map<string, { websiteId: string; mark: RelayMark }>();
			for (const { json } of items) {
				const messageFingerprint = idToString(json.messageId);
				const timestamp = timestampOf(isObject(json.raw) ? json.raw.data : undefined);
				if (json.event !== 'message' || json.platform !== 'crisp' || messageFingerprint === null || Number.isNaN(timestamp)) continue;
				const conversation = String(json.conversationId);
				const entry = latest.get(conversation);
				if (entry === undefined || timestamp > entry.mark.timestamp) latest.set(conversation, { websiteId: String(json.websiteId), mark: { timestamp, fingerprints: [messageFingerprint] } });
				else if (timestamp === entry.mark.timestamp) entry.mark.fingerprints.push(messageFingerprint);
			}
			await Promise.all(
				[...latest].map(async ([conversation, { websiteId: website, mark }]) => {
					if (!encodable(conversation)) return;
					await updateMetaData.call(context, {
						call: 'record the last relayed message',
						websiteId: website,
						sessionId: conversation,
						change: (data) => {
							const next = advanceRelayMark(readRelayMark(data[RELAYED_FIELD]), mark.timestamp, mark.fingerprints);
							return next === null ? null : { [RELAYED_FIELD]: formatRelayMark(next) };
						},
						retry: CATCH_UP_RETRY,
						timeoutMs: CATCH_UP_TIMEOUT_MS,
					});
				}),
			);
		},
	};
}
