import * as crypto from 'crypto';

import { clone } from '../http';
import { CrispState, crispSignature } from './state';
import type { CrispDeliveryAttempt, HookKind } from './state';

/**
 * Web Hooks (docs references/web-hooks/v1): a POST of `{website_id, event, data, timestamp}` to every
 * plugin hook of a plugin the website installed (signed) and to the website's own hooks (unsigned),
 * with `X-Crisp-Hook-Origin`, `X-Crisp-Request-Timestamp`, `X-Delivery-Attempt-Limit` and
 * `X-Delivery-Attempt-Count`; a failed delivery is tried again (the schedule is ours: CHOICE).
 */
export abstract class CrispHooks extends CrispState {
	/** One event of a website, to every hook that wants it. */
	protected emit(websiteId: string, event: string, data: Record<string, unknown>): void {
		if (this.stopped) return;
		const body = { website_id: websiteId, event, data, timestamp: Date.now() };
		for (const plugin of this.plugins.values()) {
			if (!plugin.installs.has(websiteId) || !plugin.hookUrl || !plugin.hookEvents.includes(event)) continue;
			// The docs' example origin: "plugin/rtm 38b411d9377a6a00 production" (UNCONFIRMED: which id it names).
			this.deliver('plugin', plugin.pluginId, plugin.hookUrl, body, `plugin/rtm ${plugin.pluginId.replace(/-/g, '').slice(0, 16)} production`, plugin.secret);
		}
		const website = this.websites.get(websiteId);
		for (const hook of website?.hooks ?? []) {
			if (!hook.events.includes(event)) continue;
			// UNCONFIRMED: a website hook's origin string (shaped like the plugin one).
			this.deliver('website', hook.hookId, hook.url, body, `website/hooks ${websiteId} production`);
		}
	}

	/**
	 * The body is serialized once; the timestamp (ms, CHOICE: the unit is undocumented) and the
	 * signature are taken again at every attempt.
	 */
	private deliver(kind: HookKind, targetId: string, url: string, payload: Record<string, unknown>, origin: string, secret?: string): void {
		const rawBody = JSON.stringify(payload);
		const jobId = crypto.randomUUID();
		const limit = Math.max(1, this.options.hookAttemptLimit);
		this.pendingDeliveries += 1;
		let attempt = 0;
		const run = async (): Promise<void> => {
			if (this.stopped) return;
			attempt += 1;
			const timestamp = String(Date.now());
			const headers: Record<string, string> = {
				'Content-Type': 'application/json',
				'User-Agent': 'Crisp-Web-Hooks (simulator)',
				'X-Crisp-Hook-Origin': origin,
				'X-Crisp-Request-Timestamp': timestamp,
				'X-Delivery-Attempt-Limit': String(limit),
				'X-Delivery-Attempt-Count': String(attempt),
			};
			if (secret) headers['X-Crisp-Signature'] = crispSignature(secret, timestamp, rawBody);
			const record: CrispDeliveryAttempt = {
				jobId,
				kind,
				targetId,
				event: String(payload.event),
				url,
				attempt,
				attemptLimit: limit,
				at: Date.now(),
				status: null,
				headers,
				rawBody,
				body: clone(payload),
				signed: !!secret,
			};
			this.attempts.push(record);
			let failed = false;
			try {
				const res = await this.outbox.request(url, { method: 'POST', headers, body: rawBody, timeoutMs: this.options.hookTimeoutMs });
				record.status = res.status;
				failed = res.status < 200 || res.status > 299;
			} catch (err) {
				record.error = String((err as Error)?.message ?? err);
				failed = true;
			}
			if (this.stopped) return;
			if (failed && attempt < limit) {
				// CHOICE: any non-2xx, a timeout or a refused connection is tried again, later each time.
				record.retryInMs = this.options.hookRetryDelayMs * attempt * this.options.timeScale;
				this.timers.set(() => void run(), record.retryInMs);
				return;
			}
			if (failed) record.gaveUp = true;
			this.pendingDeliveries -= 1;
		};
		// CHOICE: deliveries run concurrently; no order between them is promised.
		void run();
	}
}
