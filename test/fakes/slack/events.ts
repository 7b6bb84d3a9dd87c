import * as crypto from 'crypto';

import { clone, waitFor } from '../http';
import { RETRY_DELAYS_MS, slackId, slackSignature } from './common';
import type { MessageRecord, SlackChannel, SlackDeliveryAttempt } from './common';
import { SlackState } from './state';

interface Delivery {
	id: string;
	kind: SlackDeliveryAttempt['kind'];
	url: string;
	eventId?: string;
	eventType?: string;
	rawBody: string;
	attempts: number;
	lastReason?: string;
}

export interface UrlVerificationResult {
	verified: boolean;
	challenge: string;
	status: number | null;
	responseText?: string;
	error?: string;
}

/**
 * The Events API side: event envelopes, request signing, the one Request URL of the app
 * (url_verification), and delivery with Slack's retries (at most 3: nearly immediately, after
 * 1 minute, after 5 minutes, with X-Slack-Retry-Num / X-Slack-Retry-Reason).
 */
export abstract class SlackEvents extends SlackState {
	/** Deliveries not settled yet (waiting for an answer or for a retry). */
	protected pending = new Set<Delivery>();
	protected envelopes = new Map<string, string>();

	/** Every delivery is signed with the app's signing secret as of the attempt (see configure()). */
	protected signedHeaders(rawBody: string, retry?: { num: number; reason: string }): Record<string, string> {
		// Each request carries its own timestamp: a retry is signed anew (inferred).
		const timestamp = Math.floor(Date.now() / 1000);
		const headers: Record<string, string> = {
			'Content-Type': 'application/json',
			'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
			'X-Slack-Request-Timestamp': String(timestamp),
			'X-Slack-Signature': slackSignature(this.options.signingSecret, timestamp, rawBody),
		};
		if (retry) {
			headers['X-Slack-Retry-Num'] = String(retry.num);
			headers['X-Slack-Retry-Reason'] = retry.reason;
		}
		return headers;
	}

	/**
	 * Slack POSTs `{token, challenge, type: "url_verification"}` when a Request URL is saved and
	 * keeps the URL only if the answer (within 3 s) carries the challenge: as JSON `{challenge}`,
	 * as plain text, or form-encoded. Not retried (inferred: Slack reports it in the app settings).
	 */
	async verifyUrl(url: string): Promise<UrlVerificationResult> {
		const challenge = crypto.randomBytes(24).toString('base64url');
		const rawBody = JSON.stringify({ token: this.options.verificationToken, challenge, type: 'url_verification' });
		const headers = this.signedHeaders(rawBody);
		const record: SlackDeliveryAttempt = {
			deliveryId: crypto.randomUUID(),
			kind: 'url_verification',
			url,
			attempt: 1,
			at: Date.now(),
			status: null,
			headers,
			rawBody,
			body: JSON.parse(rawBody),
		};
		this.attempts.push(record);
		const result: UrlVerificationResult = { verified: false, challenge, status: null };
		try {
			const res = await this.outbox.request(url, { method: 'POST', headers, body: rawBody, timeoutMs: this.options.ackTimeoutMs });
			record.status = result.status = res.status;
			record.responseText = result.responseText = res.text;
			const form = new URLSearchParams(res.text).get('challenge');
			const echoed = (res.body && typeof res.body === 'object' && res.body.challenge) ?? form ?? res.text.trim();
			result.verified = res.status === 200 && echoed === challenge;
		} catch (err) {
			record.error = result.error = String((err as Error)?.message ?? err);
		}
		return result;
	}

	/** Saves the app's Request URL once it answers the challenge (rejects as the settings page would). */
	async setEventUrl(url: string): Promise<UrlVerificationResult> {
		const result = await this.verifyUrl(url);
		if (!result.verified) {
			throw new Error(
				`Your URL didn't respond with the value of the challenge parameter (${url}: ${result.status ?? result.error} ${String(result.responseText ?? '').slice(0, 200)})`,
			);
		}
		this.eventUrl = url;
		return result;
	}

	/** Whether the app gets this channel's message events: subscribed and a member (Slack's rule). */
	protected receivesMessages(channel: SlackChannel): boolean {
		const subscription = channel.type === 'public' ? 'message.channels' : 'message.groups';
		return this.options.subscriptions.includes(subscription) && channel.members.has(this.options.botUserId);
	}

	protected messageEvent(m: MessageRecord): Record<string, unknown> {
		const channel = this.channels.get(m.channel)!;
		return { ...this.messageView(m), channel: m.channel, event_ts: m.ts, channel_type: channel.type === 'public' ? 'channel' : 'group' };
	}

	protected emitMessage(m: MessageRecord): void {
		const channel = this.channels.get(m.channel)!;
		if (this.receivesMessages(channel)) this.emit(this.messageEvent(m));
	}

	/** chat.update: a hidden `message_changed` message event with the new and the previous message. */
	protected emitChanged(before: Record<string, unknown>, after: MessageRecord): void {
		const channel = this.channels.get(after.channel)!;
		if (!this.receivesMessages(channel)) return;
		const ts = this.nextTs();
		this.emit({
			type: 'message',
			subtype: 'message_changed',
			message: this.messageView(after),
			previous_message: before,
			channel: after.channel,
			hidden: true,
			ts,
			event_ts: ts,
			channel_type: channel.type === 'public' ? 'channel' : 'group',
		});
	}

	protected emitReaction(user: string, reaction: string, m: MessageRecord): void {
		const channel = this.channels.get(m.channel)!;
		if (!this.options.subscriptions.includes('reaction_added') || !channel.members.has(this.options.botUserId)) return;
		this.emit({ type: 'reaction_added', user, reaction, item_user: m.user, item: { type: 'message', channel: m.channel, ts: m.ts }, event_ts: this.nextTs() });
	}

	protected emitFileShared(fileId: string, user: string, channel: string): void {
		if (!this.options.subscriptions.includes('file_shared')) return;
		this.emit({ type: 'file_shared', channel_id: channel, file_id: fileId, user_id: user, file: { id: fileId }, event_ts: this.nextTs() });
	}

	/** Wraps an event in Slack's event_callback envelope and delivers it to the Request URL, if any. */
	protected emit(event: Record<string, unknown>): void {
		if (!this.eventUrl || this.stopped) return;
		const eventId = slackId('Ev', 10);
		const envelope = {
			token: this.options.verificationToken,
			team_id: this.options.teamId,
			context_team_id: this.options.teamId,
			context_enterprise_id: null,
			api_app_id: this.options.appId,
			event,
			type: 'event_callback',
			event_id: eventId,
			event_time: Math.floor(Date.now() / 1000),
			authorizations: [
				{ enterprise_id: null, team_id: this.options.teamId, user_id: this.options.botUserId, is_bot: true, is_enterprise_install: false },
			],
			is_ext_shared_channel: false,
			event_context: `4-${Buffer.from(JSON.stringify({ e: event.type, t: this.options.teamId })).toString('base64url')}`,
		};
		const rawBody = JSON.stringify(envelope);
		this.envelopes.set(eventId, rawBody);
		const eventType = event.subtype ? `${String(event.type)}/${String(event.subtype)}` : String(event.type);
		void this.deliver({ id: crypto.randomUUID(), kind: 'event_callback', url: this.eventUrl, eventId, eventType, rawBody, attempts: 0 });
	}

	/**
	 * Sends an event again exactly as Slack retries it (same body and event_id, next
	 * X-Slack-Retry-Num, the given reason), e.g. the retry a receiver slower than 3 s gets.
	 */
	protected redeliver(eventId: string, reason: string, retryNum: number): void {
		const rawBody = this.envelopes.get(eventId);
		if (!rawBody || !this.eventUrl) throw new Error(`no event ${eventId} (or no Request URL)`);
		const body = JSON.parse(rawBody);
		const eventType = body.event.subtype ? `${body.event.type}/${body.event.subtype}` : body.event.type;
		void this.deliver({ id: crypto.randomUUID(), kind: 'event_callback', url: this.eventUrl, eventId, eventType, rawBody, attempts: retryNum, lastReason: reason }, true);
	}

	private async deliver(delivery: Delivery, single = false): Promise<void> {
		this.pending.add(delivery);
		try {
			for (;;) {
				const outcome = await this.attempt(delivery);
				if (outcome === 'delivered' || this.stopped || single) return;
				const record = this.attempts[this.attempts.length - 1];
				if (outcome === 'no-retry' || delivery.attempts > this.options.maxRetries) {
					record.gaveUp = true;
					return;
				}
				const delay = (RETRY_DELAYS_MS[delivery.attempts - 1] ?? RETRY_DELAYS_MS[RETRY_DELAYS_MS.length - 1]) * this.options.timeScale;
				record.retryInMs = delay;
				await new Promise<void>((resolve) => this.timers.set(resolve, delay));
				if (this.stopped) return;
			}
		} finally {
			this.pending.delete(delivery);
		}
	}

	private async attempt(delivery: Delivery): Promise<'delivered' | 'failed' | 'no-retry'> {
		const retryNum = delivery.attempts;
		delivery.attempts += 1;
		const headers = this.signedHeaders(delivery.rawBody, retryNum > 0 ? { num: retryNum, reason: delivery.lastReason ?? 'http_error' } : undefined);
		const record: SlackDeliveryAttempt = {
			deliveryId: delivery.id,
			kind: delivery.kind,
			eventId: delivery.eventId,
			eventType: delivery.eventType,
			url: delivery.url,
			attempt: delivery.attempts,
			at: Date.now(),
			status: null,
			headers,
			rawBody: delivery.rawBody,
			body: JSON.parse(delivery.rawBody),
		};
		if (retryNum > 0) {
			record.retryNum = retryNum;
			record.retryReason = headers['X-Slack-Retry-Reason'];
		}
		this.attempts.push(record);
		try {
			// On a timeout the request is dropped and retried (inferred: whether Slack closes it is undocumented).
			const res = await this.outbox.request(delivery.url, { method: 'POST', headers, body: delivery.rawBody, timeoutMs: this.options.ackTimeoutMs });
			record.status = res.status;
			record.responseText = res.text;
			if (res.status >= 200 && res.status < 300) return 'delivered';
			// 3xx count as failures here (inferred: Slack follows up to 2 redirects, then too_many_redirects).
			delivery.lastReason = 'http_error';
			if (String(res.headers['x-slack-no-retry'] ?? '') === '1') {
				record.noRetry = true;
				return 'no-retry';
			}
			return 'failed';
		} catch (err) {
			const message = String((err as Error)?.message ?? err);
			record.error = message;
			delivery.lastReason = /^timeout after/.test(message)
				? 'http_timeout'
				: /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|socket hang up/.test(message)
					? 'connection_failed'
					: 'unknown_error';
			return 'failed';
		}
	}

	getDeliveries(): SlackDeliveryAttempt[] {
		return clone(this.attempts);
	}

	/** Resolves when no event delivery is in flight or waiting for a retry. */
	async idle(timeoutMs = 10_000): Promise<void> {
		await waitFor(() => this.pending.size === 0, timeoutMs);
	}
}
