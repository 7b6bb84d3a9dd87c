import type { IDataObject, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

import type { CatchUp, MissedEvents } from '../../shared';
import { CATCH_UP_RETRY, CATCH_UP_TIMEOUT_MS, idToString, isObject, markEach } from '../../shared';
import { RELAYED_ATTRIBUTE } from '../marker';
import { segment, tiledeskApi, tiledeskRequest } from '../transport';
import type { Delivery } from './delivery';
import { parseDelivery, toEvent } from './delivery';

/**
 * Tiledesk retries a delivery twice within about 10 s; after a longer outage the trigger reads the
 * conversation back (`GET …/requests/{id}` for the mark, `GET …/requests/{id}/messages`) and relays
 * the messages after the conversation's `n8nHandoffRelayed` attribute, which it writes
 * (`PATCH …/requests/{id}/attributes`) after each relay (docs/delivery-guarantees.md, point 6;
 * docs/platforms/tiledesk.md).
 */

const NOTHING: MissedEvents = { relayed: false, missed: [] };

const time = (message: IDataObject) => Date.parse(String(message.createdAt ?? ''));

export function tiledeskCatchUp(delivery: Delivery, projectId: string, wanted: (message: IDataObject) => boolean): CatchUp {
	const requestId = idToString(delivery.payload.recipient) ?? '';
	const messageId = idToString(delivery.payload._id);
	// Messages read back carry no request: they are judged (who wrote them) with this delivery's.
	const request = isObject(delivery.payload.request) ? delivery.payload.request : undefined;
	return {
		async missed(context: IWebhookFunctions, gaps: ReadonlySet<string>): Promise<MissedEvents> {
			if (!requestId || !messageId) return NOTHING;
			const path = `requests/${segment(requestId)}`;
			// The mark as it is now: the delivery's own copy of the request may predate the last relay.
			const current = await tiledeskApi.call(context, { call: 'read the conversation back to catch up', method: 'GET', path, retry: CATCH_UP_RETRY, timeoutMs: CATCH_UP_TIMEOUT_MS });
			const attributes = isObject(current.attributes) ? current.attributes : {};
			const mark = attributes[RELAYED_ATTRIBUTE];
			// No mark: a conversation this package neither opened nor relayed; what was relayed is unknown,
			// but what this process pushed back (gaps) it knows it did not relay.
			if (typeof mark !== 'string' && gaps.size === 0) return NOTHING;
			const listed = await tiledeskApi.call(context, { call: 'read the conversation back to catch up', method: 'GET', path: `${path}/messages`, retry: CATCH_UP_RETRY, timeoutMs: CATCH_UP_TIMEOUT_MS });
			// Tiledesk lists them by updatedAt (routes/message.js); the order that counts is createdAt.
			const messages = (Array.isArray(listed) ? (listed as unknown[]) : []).filter(isObject);
			messages.sort((a, b) => time(a) - time(b) || String(a._id).localeCompare(String(b._id)));
			const at = messages.findIndex((message) => idToString(message._id) === messageId);
			if (at === -1) return NOTHING;
			// Without a mark in the list, only the gaps count: every earlier message counts as "at or before it".
			const found = typeof mark === 'string' && mark !== '' ? messages.findIndex((message) => idToString(message._id) === mark) : -1;
			const known = mark === '' || found !== -1;
			if (!known && gaps.size === 0) return NOTHING;
			const marked = known ? found : at;
			const missed: MissedEvents['missed'] = [];
			messages.slice(0, at).forEach((message, index) => {
				const payload: IDataObject = { ...message, request };
				if (!wanted(payload)) return;
				// Not a delivery Tiledesk made: what the trigger read back, said so in `raw`.
				const parsed = parseDelivery({ ...delivery, payload, timestamp: undefined, body: { payload, read_back: true } }, 'message.create');
				if ('error' in parsed || (index <= marked && !gaps.has(parsed.value.key))) return;
				missed.push({ key: parsed.value.key, items: [{ json: toEvent(parsed.value, projectId) }] });
			});
			return { relayed: known && at <= marked, missed };
		},

		async mark(context: IWebhookFunctions, items: INodeExecutionData[]): Promise<void> {
			await markEach(
				items,
				(event) => (event.platform === 'tiledesk' && event.messageId ? String(event.messageId) : null),
				async (conversation, relayed) =>
					await tiledeskRequest.call(context, {
						call: 'record the last relayed message',
						method: 'PATCH',
						path: `requests/${segment(conversation)}/attributes`,
						body: { [RELAYED_ATTRIBUTE]: relayed },
						retry: CATCH_UP_RETRY,
						timeoutMs: CATCH_UP_TIMEOUT_MS,
					}),
			);
		},
	};
}
