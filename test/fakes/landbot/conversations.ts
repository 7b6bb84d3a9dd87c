import * as crypto from 'crypto';

import { clone, randomHex } from '../http';
import { HOOK_CHANNEL_TYPES, HOOK_RETRY_STEP_MS } from './common';
import type { CustomerRecord, Delivery, LandbotDeliveryAttempt, LandbotMessage } from './common';
import { LandbotState } from './state';

/**
 * What happens in a conversation (messages, assignment, idle unassignment) and the MessageHook
 * deliveries it makes: one queue per hook, in order, with Landbot's retries.
 */
export abstract class LandbotConversations extends LandbotState {
	/** Stores a message, counts it as interaction if a person wrote it, delivers it to hooks. */
	protected postMessage(customer: CustomerRecord, message: LandbotMessage, interaction: boolean): void {
		customer.messages.push(message);
		customer.last_message = message.timestamp;
		if (interaction && customer.agent_id != null) this.scheduleIdleUnassign(customer);
		const channel = this.channels.get(customer.channel_id)!;
		if (!HOOK_CHANNEL_TYPES.includes(channel.type)) return;
		const payload = { messages: [this.hookMessage(customer, message)] };
		for (const hook of this.hooks.values()) {
			if (hook.channel_id !== channel.id) continue;
			this.enqueue({
				id: crypto.randomUUID(),
				hook,
				customerId: customer.id,
				messageUuid: message.uuid,
				body: clone(payload),
				// Sheet: sentry-trace is unique per message and stable across retries (Landbot webhook reference).
				sentryTrace: `${randomHex(16)}-${randomHex(8)}-0`,
				attempts: 0,
			});
		}
	}

	protected assignTo(customer: CustomerRecord, agentId: number, by: number): void {
		customer.agent_id = agentId;
		if (customer.bot.active) {
			// CHOICE: a human taking the conversation stops the bot (Landbot's "human takeover").
			customer.bot.active = false;
		}
		customer.events.push({ at: Date.now(), type: 'assign', agent_id: agentId, by });
		this.scheduleIdleUnassign(customer);
	}

	protected unassign(customer: CustomerRecord, type: 'unassign' | 'idle_unassign', by: number | null): void {
		const previous = customer.agent_id;
		customer.agent_id = null;
		this.timers.clear(customer.idleTimer);
		customer.idleTimer = undefined;
		customer.events.push({ at: Date.now(), type, agent_id: previous, by });
	}

	/**
	 * Sheet: "the conversation is unassigned after some minutes without interaction between user and
	 * agent". Any user or agent message (and any assignment) restarts the clock.
	 */
	protected scheduleIdleUnassign(customer: CustomerRecord): void {
		this.timers.clear(customer.idleTimer);
		customer.idleTimer = undefined;
		if (!this.options.idleUnassignMs || customer.agent_id == null) return;
		customer.idleTimer = this.timers.set(() => {
			customer.idleTimer = undefined;
			if (customer.agent_id == null || this.stopped) return;
			this.unassign(customer, 'idle_unassign', null);
			if (this.options.sysMessageOnUnassign) {
				const text = 'The conversation was unassigned after a period of inactivity.';
				this.postMessage(
					customer,
					this.rawMessage(customer, 'sys', { id: null, name: '', type: 'sys' }, 'text', { body: text }, text),
					false,
				);
			}
		}, this.options.idleUnassignMs * this.options.timeScale);
	}

	// ---------------------------------------------------------------- internals: hook delivery

	/** One queue per (hook, customer): in order within a conversation, independent across them. */
	private enqueue(delivery: Delivery): void {
		const key = `${delivery.hook.id}:${delivery.customerId}`;
		let queue = this.queues.get(key);
		if (!queue) {
			queue = { items: [], running: false };
			this.queues.set(key, queue);
		}
		queue.items.push(delivery);
		if (!queue.running) void this.pump(queue);
	}

	private async pump(queue: { items: Delivery[]; running: boolean }): Promise<void> {
		queue.running = true;
		while (queue.items.length > 0 && !this.stopped) {
			const delivery = queue.items[0];
			if (!this.hooks.has(delivery.hook.id)) {
				// CHOICE: deliveries still queued for a deleted hook are dropped.
				queue.items.shift();
				continue;
			}
			const delivered = await this.attempt(delivery);
			if (this.stopped) break;
			if (delivered || delivery.attempts >= this.options.hookMaxAttempts) {
				queue.items.shift();
				continue;
			}
			// Sheet: linear backoff, about 5, 10, 15, 20, 25 s.
			const delay = HOOK_RETRY_STEP_MS * delivery.attempts * this.options.timeScale;
			await new Promise<void>((resolve) => this.timers.set(resolve, delay));
		}
		queue.running = false;
	}

	private async attempt(delivery: Delivery): Promise<boolean> {
		delivery.attempts += 1;
		const headers: Record<string, string> = {
			'Content-Type': 'application/json',
			'User-Agent': 'landbot/webhooks',
			'sentry-trace': delivery.sentryTrace,
		};
		if (delivery.hook.token) headers.Authorization = `Token ${delivery.hook.token}`;
		const record: LandbotDeliveryAttempt = {
			deliveryId: delivery.id,
			hookId: delivery.hook.id,
			url: delivery.hook.url,
			customerId: delivery.customerId,
			messageUuid: delivery.messageUuid,
			attempt: delivery.attempts,
			at: Date.now(),
			status: null,
			headers,
			body: delivery.body,
		};
		this.attempts.push(record);
		let delivered = false;
		try {
			const res = await this.outbox.request(delivery.hook.url, {
				method: 'POST',
				headers,
				body: delivery.body,
				timeoutMs: this.options.hookTimeoutMs,
			});
			record.status = res.status;
			delivered = res.status >= 200 && res.status < 300;
		} catch (err) {
			record.error = String((err as Error)?.message ?? err);
		}
		if (!delivered) {
			if (delivery.attempts >= this.options.hookMaxAttempts) record.gaveUp = true;
			else record.retryInMs = HOOK_RETRY_STEP_MS * delivery.attempts * this.options.timeScale;
		}
		return delivered;
	}
}
