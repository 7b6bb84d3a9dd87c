import * as crypto from 'crypto';

import { clone, waitFor } from '../http';
import { retryDelayMs } from './common';
import type { MessageRecord, NotificationAttempt, SubscriptionRecord } from './common';
import { TeamsState } from './state';

interface Delivery {
	id: string;
	url: string;
	rawBody: string;
	subscriptionId: string;
	messageId: string;
	attempts: number;
	firstAt: number;
}

export interface ValidationResult {
	ok: boolean;
	/** Why Graph refuses the subscription (its 400 message), when not ok. */
	reason?: string;
}

/**
 * Change notifications through webhooks: the notificationUrl validation on POST /subscriptions,
 * one POST per change (`{value: [changeNotification]}`, no resource data: this resource gets it
 * only with an encryption certificate), and Graph's retries: a notification not answered 2xx
 * within 3 s is sent again with exponential backoff for up to 4 hours, then discarded.
 */
export abstract class TeamsNotifications extends TeamsState {
	protected pending = new Set<Delivery>();
	protected sent = new Map<string, Delivery>();

	/**
	 * Graph POSTs `?validationToken=<token>` (Content-Type text/plain, empty body) to the URL and
	 * keeps the subscription only if the answer comes within 10 s: 200, text/plain, the token
	 * (URL-decoded) as the body.
	 */
	protected async validateUrl(url: string, subscriptionId: string): Promise<ValidationResult> {
		// Opaque to clients; this is the shape Graph's tokens are seen with, spaces included (inferred).
		// The refusal messages below are Graph's as reported by its users (wording inferred).
		const token = `Validation: Testing client application reachability for subscription Request-Id: ${crypto.randomUUID()}`;
		const target = new URL(this.options.route(url));
		target.searchParams.set('validationToken', token);
		const record: NotificationAttempt = {
			deliveryId: crypto.randomUUID(),
			kind: 'validation',
			url,
			routedTo: target.href,
			attempt: 1,
			at: Date.now(),
			status: null,
			validationToken: token,
			subscriptionId,
		};
		this.attempts.push(record);
		try {
			const res = await this.outbox.request(target.href, {
				method: 'POST',
				headers: { 'Content-Type': 'text/plain; charset=utf-8' },
				body: '',
				timeoutMs: this.options.validationTimeoutMs,
			});
			record.status = res.status;
			record.responseText = res.text;
			record.contentType = String(res.headers['content-type'] ?? '');
			if (res.status !== 200) return { ok: false, reason: 'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.' };
			if (!/^text\/plain\b/i.test(record.contentType)) return { ok: false, reason: 'Subscription validation request failed. Response must be of content type text/plain.' };
			if (res.text !== token) return { ok: false, reason: 'Subscription validation request failed. Response must exactly match validationToken query parameter.' };
			return { ok: true };
		} catch (err) {
			record.error = String((err as Error)?.message ?? err);
			const timedOut = /^timeout after/.test(record.error);
			return { ok: false, reason: timedOut ? 'Subscription validation request timed out.' : `Subscription validation request failed. ${record.error}` };
		}
	}

	private subscribersOf(m: MessageRecord): SubscriptionRecord[] {
		const now = Date.now();
		return [...this.subscriptions.values()].filter(
			(s) =>
				s.teamId === m.teamId &&
				s.channelId === m.channelId &&
				s.changeType.split(',').map((c) => c.trim()).includes('created') &&
				Date.parse(s.expirationDateTime) > now &&
				// Delegated: the subscriber sees the channel only while a member of its team (inferred).
				(this.teams.get(m.teamId)?.members.has(s.creatorId) ?? false),
		);
	}

	/** A `created` change notification for each subscription of the message's channel (messages and replies alike). */
	protected emitCreated(m: MessageRecord): void {
		if (this.stopped) return;
		for (const s of this.subscribersOf(m)) {
			const resource = this.resourcePath(m);
			const notification = {
				subscriptionId: s.id,
				changeType: 'created',
				tenantId: this.options.tenantId,
				clientState: s.clientState ?? null,
				subscriptionExpirationDateTime: s.expirationDateTime,
				resource,
				resourceData: { id: m.id, '@odata.type': '#Microsoft.Graph.chatMessage', '@odata.id': resource },
				// Seen as null in delivered payloads of subscriptions without resource data.
				encryptedContent: null,
			};
			const delivery: Delivery = {
				id: crypto.randomUUID(),
				url: s.notificationUrl,
				rawBody: JSON.stringify({ value: [notification] }),
				subscriptionId: s.id,
				messageId: m.id,
				attempts: 0,
				firstAt: Date.now(),
			};
			this.sent.set(delivery.id, delivery);
			void this.deliver(delivery);
		}
	}

	/**
	 * Sends a delivered notification again, as Graph does when it saw no 2xx within 3 s (same
	 * body). Resolves once that attempt settled. `messageId` picks the first delivery about it.
	 */
	async simulateRetry(messageId: string): Promise<NotificationAttempt> {
		const delivery = [...this.sent.values()].find((d) => d.messageId === messageId);
		if (!delivery) throw new Error(`no notification about message ${messageId} was sent`);
		const copy: Delivery = { ...delivery };
		this.pending.add(copy);
		try {
			await this.attempt(copy, true);
		} finally {
			this.pending.delete(copy);
		}
		return clone(this.attempts.filter((a) => a.deliveryId === delivery.id).pop()!);
	}

	private async deliver(delivery: Delivery): Promise<void> {
		this.pending.add(delivery);
		try {
			for (;;) {
				if (await this.attempt(delivery)) return;
				if (this.stopped) return;
				const record = this.attempts[this.attempts.length - 1];
				const delay = retryDelayMs(delivery.attempts) * this.options.timeScale;
				if (Date.now() + delay - delivery.firstAt > this.options.retryForMs * this.options.timeScale) {
					record.gaveUp = true; // discarded after 4 hours
					return;
				}
				record.retryInMs = delay;
				await new Promise<void>((resolve) => this.timers.set(resolve, delay));
				if (this.stopped) return;
			}
		} finally {
			this.pending.delete(delivery);
		}
	}

	private async attempt(delivery: Delivery, forced = false): Promise<boolean> {
		delivery.attempts += 1;
		const routedTo = this.options.route(delivery.url);
		const record: NotificationAttempt = {
			deliveryId: delivery.id,
			kind: 'notification',
			url: delivery.url,
			routedTo,
			attempt: delivery.attempts,
			at: Date.now(),
			status: null,
			body: JSON.parse(delivery.rawBody),
			subscriptionId: delivery.subscriptionId,
			messageId: delivery.messageId,
			...(forced ? { forced: true } : {}),
		};
		this.attempts.push(record);
		try {
			const res = await this.outbox.request(routedTo, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json; charset=utf-8' },
				body: delivery.rawBody,
				timeoutMs: this.options.ackTimeoutMs,
			});
			record.status = res.status;
			record.responseText = res.text;
			return res.status >= 200 && res.status < 300;
		} catch (err) {
			record.error = String((err as Error)?.message ?? err);
			return false;
		}
	}

	/** Every validation request and notification attempt, in order. */
	getDeliveries(): NotificationAttempt[] {
		return clone(this.attempts);
	}

	/** Resolves when no notification is in flight or waiting for a retry. */
	async idle(timeoutMs = 10_000): Promise<void> {
		await waitFor(() => this.pending.size === 0, timeoutMs);
	}
}
