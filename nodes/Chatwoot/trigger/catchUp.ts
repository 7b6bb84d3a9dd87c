import type { IDataObject, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

import type { CatchUp, MissedEvents } from '../../shared';
import { CATCH_UP_RETRY, CATCH_UP_TIMEOUT_MS, idToString, isObject, markEach } from '../../shared';
import { RELAYED_ATTRIBUTE } from '../marker';
import { chatwootApi, listOf, mergeCustomAttributes, segment } from '../transport';
import type { Delivery } from './delivery';
import { parseDelivery, readBackBody, toEvent } from './delivery';

/**
 * Chatwoot tries an account webhook once (docs/platforms/chatwoot.md): whatever n8n did not answer
 * is never sent again. So the trigger reads the conversation back: the mark is the conversation
 * custom attribute `handoff_relayed_message` (the last message relayed, '' for none yet), written
 * after each relay; the messages after it come from `GET …/messages?after=<id>` (oldest first, up
 * to 100 a call). Message ids grow with time (one sequence per installation), so "after" is "newer".
 */

const NOTHING: MissedEvents = { relayed: false, missed: [] };
/** At most this many pages of 100 are read back per conversation: a longer outage relays the rest with the next read. */
const MAX_PAGES = 10;

const MESSAGE_KEY = /^message_created:(\d+)$/;

export function chatwootCatchUp(delivery: Delivery, wanted: (body: IDataObject) => boolean): CatchUp {
	const conversationId = delivery.conversationId;
	const messageId = Number(delivery.body.id);
	return {
		async missed(context: IWebhookFunctions, gaps: ReadonlySet<string>): Promise<MissedEvents> {
			if (!Number.isSafeInteger(messageId)) return NOTHING;
			const path = `conversations/${segment(conversationId)}`;
			// The mark as it is now: the delivery's copy of the conversation may predate the last relay.
			const current = await chatwootApi.call(context, { call: 'read the conversation back to catch up', method: 'GET', path, retry: CATCH_UP_RETRY, timeoutMs: CATCH_UP_TIMEOUT_MS });
			const attributes = isObject(current.custom_attributes) ? current.custom_attributes : {};
			const raw = idToString(attributes[RELAYED_ATTRIBUTE]) ?? (attributes[RELAYED_ATTRIBUTE] === '' ? '' : null);
			const mark = raw === '' ? 0 : raw !== null && /^\d+$/.test(raw) ? Number(raw) : null;
			const gapIds = [...gaps].map((key) => MESSAGE_KEY.exec(key)?.[1]).filter((id): id is string => id !== undefined).map(Number);
			// No mark: a conversation this package neither opened nor relayed; what was relayed is unknown,
			// but what this process pushed back (gaps) it knows it did not relay.
			if (mark === null && gapIds.length === 0) return NOTHING;
			let cursor = Math.min(mark ?? Number.POSITIVE_INFINITY, ...gapIds.map((id) => id - 1));
			const before: IDataObject[] = [];
			for (let page = 0; page < MAX_PAGES; page++) {
				const listed = listOf(
					await chatwootApi.call(context, { call: 'read the conversation back to catch up', method: 'GET', path: `${path}/messages`, qs: { after: cursor }, retry: CATCH_UP_RETRY, timeoutMs: CATCH_UP_TIMEOUT_MS }),
				)
					.filter((message) => Number.isSafeInteger(Number(message.id)))
					.sort((a, b) => Number(a.id) - Number(b.id));
				before.push(...listed.filter((message) => Number(message.id) < messageId));
				if (listed.length === 0 || listed.some((message) => Number(message.id) >= messageId)) break;
				cursor = Number(listed[listed.length - 1].id);
			}
			const missed: MissedEvents['missed'] = [];
			for (const message of before) {
				const body = readBackBody(message, delivery);
				const parsed = parseDelivery(body);
				if (!('value' in parsed) || !wanted(body)) continue;
				if (mark !== null && Number(message.id) > mark) {
					// After the mark: never relayed.
				} else if (!gaps.has(parsed.value.key)) continue;
				const event = toEvent(parsed.value);
				if (event) missed.push({ key: parsed.value.key, items: [{ json: event }] });
			}
			return { relayed: mark !== null && messageId <= mark, missed };
		},

		async mark(context: IWebhookFunctions, items: INodeExecutionData[]): Promise<void> {
			await markEach(
				items,
				(event) => (event.platform === 'chatwoot' && event.messageId ? String(event.messageId) : null),
				async (conversation, relayed) =>
					await mergeCustomAttributes.call(context, conversation, { [RELAYED_ATTRIBUTE]: relayed }, undefined, CATCH_UP_RETRY, CATCH_UP_TIMEOUT_MS),
			);
		},
	};
}
