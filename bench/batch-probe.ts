/**
 * What batching many conversations into one execution would save: deliveries of `size` messages,
 * each of another conversation, posted straight to our trigger's hook (signed with its token), so
 * one execution of template 2 relays `size` messages. Landbot sends one message per delivery and the
 * trigger batches only within a conversation, so this is a what-if, not a way users run today.
 */
import { randomBytes, randomUUID } from 'crypto';

import { request } from '../test/e2e/lib/n8n';
import { compare, sum } from '../test/e2e/lib/reliability';
import { type Platforms, requestIdFor, sleep } from '../test/e2e/lib/relay';
import { groupCpuMs } from './procfs';
import { arrivals, openConversations } from './round';
import { ratio, round1 } from './stats';
import type { Way } from './ways';

export interface BatchProbeResult {
	itemsPerExecution: number;
	executions: number;
	sent: number;
	delivered: number;
	lost: number;
	duplicated: number;
	msgPerSec: number;
	cpuMsPerMessage: number | null;
}

type HookMessage = Record<string, any>;

/** A recorded delivery of this way's hook: the shape Landbot's simulator sends, to copy. */
function sampleMessage(p: Platforms, way: Way): HookMessage {
	const delivery = p.landbot.getDeliveries().find((d) => d.url === way.hookUrl);
	if (!delivery) throw new Error(`no delivery to ${way.hookUrl} recorded yet to copy`);
	return (delivery.body as { messages: HookMessage[] }).messages[0];
}

function messageFor(p: Platforms, sample: HookMessage, cid: number, text: string): HookMessage {
	return {
		...sample,
		timestamp: Date.now() / 1000,
		data: { body: text },
		sender: { ...sample.sender, id: cid },
		customer: { ...sample.customer, id: cid, handoff_conversation: requestIdFor(p, cid) },
		_raw: { ...sample._raw, uuid: randomUUID(), message: text },
	};
}

async function post(way: Way, token: string, messages: HookMessage[]): Promise<void> {
	const trace = `${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-0`;
	const res = await request(way.hookUrl, {
		method: 'POST',
		headers: { authorization: `Token ${token}`, 'sentry-trace': trace },
		body: { messages },
		timeoutMs: 120_000,
	});
	if (res.status !== 200) throw new Error(`batch delivery answered ${res.status}: ${res.text.slice(0, 300)}`);
}

/**
 * `total` messages in deliveries of `size`, 4 deliveries in flight. Delivery j carries conversations
 * j, j+1, … (of at least 20): each delivery starts with another conversation, so the trigger's
 * sequencer neither serialises nor merges them, and every execution carries exactly `size` items.
 */
async function probe(p: Platforms, way: Way, size: number, total: number): Promise<BatchProbeResult> {
	const token = p.landbot.listHooks(way.channelId).find((h) => h.url === way.hookUrl)?.token;
	if (!token) throw new Error(`no hook token for ${way.hookUrl}`);
	const sample = sampleMessage(p, way);
	const ids = await openConversations(p, way, Math.max(size, 20), `batch${size}`);
	const deliveries = Math.ceil(total / size);
	const sent = new Map<number, string[]>(ids.map((cid) => [cid, []]));
	const batches = Array.from({ length: deliveries }, (_, j) =>
		Array.from({ length: size }, (_, i) => {
			const cid = ids[(j + i) % ids.length];
			const text = `batch${size} c${cid} #${sent.get(cid)!.length + 1}`;
			sent.get(cid)!.push(text);
			return messageFor(p, sample, cid, text);
		}),
	);
	const cpuBefore = groupCpuMs(way.groups());
	const t0 = Date.now();
	let next = 0;
	const worker = async () => {
		while (next < batches.length) await post(way, token, batches[next++]);
	};
	await Promise.all(Array.from({ length: Math.min(4, batches.length) }, worker));
	const wallMs = Date.now() - t0;
	await sleep(1_000); // the executions' tails (saving)
	const cpuMs = groupCpuMs(way.groups()) - cpuBefore;
	const { received } = arrivals(p, ids);
	const counts = sum(ids.map((cid) => compare(sent.get(cid)!, received.get(cid)!)));
	const sentCount = deliveries * size;
	const delivered = sentCount - counts.lost;
	return {
		itemsPerExecution: size,
		executions: deliveries,
		sent: sentCount,
		delivered,
		lost: counts.lost,
		duplicated: counts.duplicated,
		msgPerSec: round1((delivered * 1000) / wallMs),
		cpuMsPerMessage: ratio(Math.round(cpuMs), delivered),
	};
}

export async function batchProbe(p: Platforms, way: Way, sizes: number[], total: number): Promise<BatchProbeResult[]> {
	const results: BatchProbeResult[] = [];
	for (const size of sizes) results.push(await probe(p, way, size, total));
	return results;
}
