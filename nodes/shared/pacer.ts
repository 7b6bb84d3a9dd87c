import { sleep } from 'n8n-workflow';

/**
 * Keeps this process's calls under a platform's rate limit (e.g. Landbot: 10 requests/s per token):
 * a call waits for a free slot instead of drawing a 429 and backing off. Many relays sharing one
 * token otherwise back off together and use a fraction of the limit. In process, per key; other
 * processes sharing the token still meet the platform's 429, which the caller retries.
 */
export class RequestPacer {
	private readonly recent = new Map<string, number[]>();

	constructor(
		private readonly maxPerWindow: number,
		private readonly windowMs: number,
	) {}

	async wait(key: string): Promise<void> {
		for (;;) {
			const now = Date.now();
			const times = (this.recent.get(key) ?? []).filter((at) => now - at < this.windowMs);
			if (times.length < this.maxPerWindow) {
				times.push(now);
				this.recent.set(key, times);
				return;
			}
			this.recent.set(key, times);
			await sleep(times[0] + this.windowMs - now + 1);
		}
	}
}
