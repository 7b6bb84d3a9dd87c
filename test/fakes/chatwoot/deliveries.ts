import * as crypto from 'crypto';

import { clone } from '../http';
import {
	AGENT_BOT_ATTEMPTS,
	AGENT_BOT_EVENTS,
	AGENT_BOT_RETRY_STATUSES,
	AGENT_BOT_RETRY_WAIT_MS,
	API_INBOX_EVENTS,
	SIGNING_SINCE,
	signature,
} from './common';
import type { ChatwootDeliveryAttempt, ConversationRecord, DeliveryKind, InboxRecord, MessageRecord } from './common';
import { ChatwootState } from './state';

/**
 * Webhooks, as app/listeners/webhook_listener.rb and agent_bot_listener.rb send them and
 * lib/webhooks/trigger.rb delivers them: account webhooks for the events they subscribe, the API
 * inbox's webhook_url, the inbox's agent bot; signatures by server version; one attempt for the
 * first two, three on 429/500 for the bot; what a failure does.
 */
export abstract class ChatwootDeliveries extends ChatwootState {
	/** webhook_listener.rb: a conversation or message event of an inbox: the account's webhooks, then the API inbox's URL. */
	protected emitInboxEvent(inbox: InboxRecord, event: string, payload: Record<string, unknown>): void {
		if (this.stopped) return;
		const body = { ...payload, event };
		this.emitAccountEvent(inbox.accountId, event, body);
		if (inbox.channelType === 'Channel::Api' && inbox.webhookUrl && API_INBOX_EVENTS.includes(event)) {
			this.deliver('api_inbox_webhook', inbox.id, inbox.webhookUrl, body, inbox.secret);
		}
	}

	/** deliver_account_webhooks: every webhook of the account subscribed to the event. */
	protected emitAccountEvent(accountId: number, event: string, body: Record<string, unknown>): void {
		if (this.stopped) return;
		for (const w of this.webhooks.values()) {
			if (w.accountId !== accountId || !w.subscriptions.includes(event)) continue;
			this.deliver('account_webhook', w.id, w.url, { ...body, event }, w.secret);
		}
	}

	/** agent_bot_listener.rb: only its five events, only with a bot connected to the inbox and an outgoing_url. */
	protected emitBotEvent(inbox: InboxRecord, event: string, payload: Record<string, unknown>): void {
		if (this.stopped || !AGENT_BOT_EVENTS.includes(event) || inbox.agentBotId === null) return;
		const bot = this.agentBots.get(inbox.agentBotId);
		if (!bot || !bot.outgoingUrl) return;
		this.deliver('agent_bot_webhook', bot.id, bot.outgoingUrl, { ...payload, event }, bot.secret);
	}

	/** The two listeners for one message event. Activity messages are never sent (Message#webhook_sendable?). */
	protected emitMessageEvent(m: MessageRecord, event: 'message_created' | 'message_updated'): void {
		if (m.messageType === 'activity') return;
		const inbox = this.inboxes.get(m.inboxId)!;
		const data = this.messageWebhookData(m);
		this.emitInboxEvent(inbox, event, data);
		this.emitBotEvent(inbox, event, data);
	}

	protected emitConversationEvent(
		c: ConversationRecord,
		event: string,
		changes?: Record<string, [unknown, unknown]>,
	): void {
		const inbox = this.inboxes.get(c.inboxId)!;
		const data: Record<string, unknown> = this.conversationPushData(c);
		// base_listener.rb extract_changed_attributes: [{attr: {previous_value, current_value}}].
		if (changes) {
			data.changed_attributes = Object.entries(changes).map(([k, [previous, current]]) => ({
				[k]: { previous_value: previous, current_value: current },
			}));
		}
		if (event === 'conversation_opened' || event === 'conversation_resolved') this.emitBotEvent(inbox, event, data);
		else this.emitInboxEvent(inbox, event, data);
	}

	/**
	 * lib/webhooks/trigger.rb: POST the JSON with `Content-Type`/`Accept: application/json`; with a
	 * secret (and a server new enough for this kind) `X-Chatwoot-Timestamp` and `X-Chatwoot-Signature`.
	 * The body is serialized once, when the job is queued; the timestamp is taken at every attempt.
	 */
	private deliver(kind: DeliveryKind, targetId: number, url: string, payload: Record<string, unknown>, secret?: string): void {
		const signed = !!secret && this.versionAtLeast(SIGNING_SINCE[kind]);
		// CHOICE: X-Chatwoot-Delivery came with the signing (the same PRs); one uuid per job, kept on retries.
		const deliveryId = signed ? crypto.randomUUID() : undefined;
		const jobId = crypto.randomUUID();
		const rawBody = JSON.stringify(payload);
		const event = String(payload.event);
		let attempt = 0;
		this.pendingDeliveries += 1;
		const run = async (): Promise<void> => {
			attempt += 1;
			const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
			if (deliveryId) headers['X-Chatwoot-Delivery'] = deliveryId;
			if (signed) {
				const timestamp = String(Math.floor(Date.now() / 1000));
				headers['X-Chatwoot-Timestamp'] = timestamp;
				headers['X-Chatwoot-Signature'] = signature(secret!, timestamp, rawBody);
			}
			const record: ChatwootDeliveryAttempt = {
				deliveryId,
				jobId,
				kind,
				targetId,
				event,
				url,
				attempt,
				at: Date.now(),
				status: null,
				headers,
				rawBody,
				body: clone(payload),
				signed,
			};
			this.attempts.push(record);
			let failure: string | undefined;
			try {
				const res = await this.outbox.request(url, { method: 'POST', headers, body: rawBody, timeoutMs: this.options.hookTimeoutMs });
				record.status = res.status;
				// SafeFetch raises on any answer that is not 2xx, "<code> <reason>".
				if (res.status < 200 || res.status > 299) failure = `${res.status} ${httpReason(res.status)}`;
			} catch (err) {
				record.error = String((err as Error)?.message ?? err);
				failure = record.error;
			}
			if (this.stopped) return;
			if (failure !== undefined) {
				// Only the agent bot retries, and only on 429 and 500 (not on other 5xx, timeouts or refused connections).
				const retry =
					kind === 'agent_bot_webhook' && record.status !== null && AGENT_BOT_RETRY_STATUSES.includes(record.status) && attempt < AGENT_BOT_ATTEMPTS;
				if (retry) {
					record.retryInMs = AGENT_BOT_RETRY_WAIT_MS * this.options.timeScale;
					this.timers.set(() => void run(), record.retryInMs);
					return;
				}
				record.gaveUp = true;
				this.onDeliveryFailed(kind, payload, failure);
			}
			this.pendingDeliveries -= 1;
		};
		// Sidekiq runs jobs concurrently: no order between deliveries is promised (CHOICE: each starts at once).
		void run();
	}

	/**
	 * lib/webhooks/error_handler (Trigger#handle_error): for message_created / message_updated only.
	 * Agent bot: a pending conversation opens, with an activity message, unless the account keeps it
	 * pending. API inbox: the message is marked `failed` with the error. Account webhooks: nothing.
	 */
	private onDeliveryFailed(kind: DeliveryKind, payload: Record<string, unknown>, error: string): void {
		if (payload.event !== 'message_created' && payload.event !== 'message_updated') return;
		const message = this.messages.get(Number(payload.id));
		if (!message) return;
		if (kind === 'agent_bot_webhook') {
			const conversation = this.conversations.get(message.conversationId);
			if (!conversation || conversation.status !== 'pending') return;
			if (this.accounts.get(conversation.accountId)?.keepPendingOnBotFailure) return;
			this.changeStatus(conversation, 'open', null);
			// UNCONFIRMED: the wording of conversations.activity.agent_bot.error_moved_to_open.
			this.addActivity(conversation, 'Conversation was transferred to open because of an error with the agent bot');
		} else if (kind === 'api_inbox_webhook') {
			this.markMessageFailed(message, error);
		}
	}

	// conversations.ts
	protected abstract changeStatus(c: ConversationRecord, status: ConversationRecord['status'], actor: string | null): boolean;
	protected abstract addActivity(c: ConversationRecord, content: string): MessageRecord;
	protected abstract markMessageFailed(m: MessageRecord, error: string): void;
}

function httpReason(status: number): string {
	const reasons: Record<number, string> = {
		400: 'Bad Request',
		401: 'Unauthorized',
		403: 'Forbidden',
		404: 'Not Found',
		408: 'Request Timeout',
		429: 'Too Many Requests',
		500: 'Internal Server Error',
		502: 'Bad Gateway',
		503: 'Service Unavailable',
		504: 'Gateway Timeout',
	};
	return reasons[status] ?? 'Error';
}
