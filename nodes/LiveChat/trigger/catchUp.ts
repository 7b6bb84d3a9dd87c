import type { IDataObject, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

import type { CatchUp, MissedEvents } from '../../shared';
import { CATCH_UP_RETRY, CATCH_UP_TIMEOUT_MS, idToString, isObject, markEach } from '../../shared';
import { PROPERTY_RELAYED } from '../marker';
import { liveChatApi, liveChatRequest } from '../transport';
import type { Delivery } from './delivery';
import { deliveryKey, handoffProperties, toEvent } from './delivery';

/**
 * LiveChat retries a delivery 3 times within about a minute; after a longer outage the trigger
 * reads the thread back (`get_chat`, Agent Chat API) and relays the agent events after the chat's
 * `relayed` property, which it writes (`update_chat_properties`) after each relay
 * (docs/delivery-guarantees.md, "Catch-up"; docs/platforms/livechat.md).
 */

const NOTHING: MissedEvents = { relayed: false, missed: [] };

export function liveChatCatchUp(delivery: Delivery, clientId: string, wanted: (event: IDataObject) => boolean): CatchUp {
	const chatId = idToString(delivery.payload.chat_id) ?? '';
	const threadId = idToString(delivery.payload.thread_id);
	const eventId = idToString((delivery.payload.event as IDataObject).id);
	return {
		async missed(context: IWebhookFunctions, gaps: ReadonlySet<string>): Promise<MissedEvents> {
			// The mark lives in the credential's Client ID namespace; without one there is none.
			if (!clientId || !threadId || !eventId) return NOTHING;
			const chat = await liveChatApi.call(context, {
				api: 'agent',
				action: 'get_chat',
				call: 'read the chat back to catch up',
				body: { chat_id: chatId, thread_id: threadId },
				retry: CATCH_UP_RETRY,
				timeoutMs: CATCH_UP_TIMEOUT_MS,
			});
			const mark = handoffProperties(chat.properties, clientId)[PROPERTY_RELAYED];
			// No mark: not a chat this package relayed with marks; what was relayed before is unknown,
			// but what this process pushed back (gaps) it knows it did not relay.
			if (typeof mark !== 'string' && gaps.size === 0) return NOTHING;
			const thread = isObject(chat.thread) ? chat.thread : {};
			if (idToString(thread.id) !== threadId) return NOTHING;
			const events = Array.isArray(thread.events) ? (thread.events as unknown[]).filter(isObject) : [];
			const current = events.findIndex((event) => idToString(event.id) === eventId);
			if (current === -1) return NOTHING;
			const [markThread, markEvent] = typeof mark === 'string' ? mark.split(' ') : [];
			// A mark in another thread (or '') means nothing of this thread was relayed yet.
			const found = markThread === threadId ? events.findIndex((event) => idToString(event.id) === markEvent) : -1;
			const known = typeof mark === 'string' && (markThread !== threadId || found !== -1);
			if (!known && gaps.size === 0) return NOTHING;
			// Without a mark to go by, only the gaps count.
			const marked = known ? found : current;
			const missed = events
				.slice(0, current)
				.map((event, index) => ({ event, index }))
				.filter(({ event }) => wanted(event))
				.map(({ event, index }) => {
					const payload: IDataObject = { chat_id: chatId, thread_id: threadId, event };
					const readBack: Delivery = {
						action: 'incoming_event',
						webhookId: null,
						organizationId: delivery.organizationId,
						payload,
						additionalData: { chat_properties: chat.properties ?? {} },
						// Not a delivery LiveChat made: what the trigger read back, said so in `raw`.
						body: { action: 'incoming_event', payload, read_back: true },
					};
					return { key: deliveryKey(readBack), index, items: [{ json: toEvent(readBack, clientId) }] };
				})
				// Before the mark only what this process pushed back: a later relay may have moved the mark past it.
				.filter(({ key, index }) => index > marked || gaps.has(key))
				.map(({ key, items }) => ({ key, items }));
			return { relayed: known && current <= marked, missed };
		},

		async mark(context: IWebhookFunctions, items: INodeExecutionData[]): Promise<void> {
			if (!clientId) return;
			await markEach(
				items,
				(event) => (event.platform === 'livechat' && event.messageId && event.threadId ? `${String(event.threadId)} ${String(event.messageId)}` : null),
				async (chat, relayed) =>
					await liveChatRequest.call(context, {
						api: 'agent',
						action: 'update_chat_properties',
						call: 'record the last relayed event',
						body: { id: chat, properties: { [clientId]: { [PROPERTY_RELAYED]: relayed } } },
						retry: CATCH_UP_RETRY,
						timeoutMs: CATCH_UP_TIMEOUT_MS,
					}),
			);
		},
	};
}
