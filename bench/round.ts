/**
 * One round of one way: `conversations` Landbot customers already in a handoff (their Tiledesk
 * conversation exists) send `messages` each, on a fixed schedule of `rate` messages a second
 * overall; the round ends when every message is visible in the Tiledesk simulator (or the drain
 * timeout), and the platforms have settled. Measures what arrived, how fast, and what it cost.
 */
import { type Counts, compare, sum } from '../test/e2e/lib/reliability';
import { LANDBOT_AGENT_ID, type Platforms, requestIdFor, sleep } from '../test/e2e/lib/relay';
import { request } from '../test/e2e/lib/n8n';
import { groupCpuMs, rssSampler, subtractThreads, threadCpuMs } from './procfs';
import { type Spread, ratio, round1, spread } from './stats';
import { TILEDESK_BASIC, type Way } from './ways';

export interface RoundSpec {
	round: number;
	conversations: number;
	messages: number;
	rate: number;
	drainTimeoutMs: number;
}

export interface RoundResult extends Counts {
	way: string;
	round: number;
	conversations: number;
	messagesPerConversation: number;
	offeredRate: number;
	sent: number;
	/** Distinct messages visible in Tiledesk. */
	delivered: number;
	/** Every message arrived before the drain timeout. */
	complete: boolean;
	/** First message sent → last one visible in Tiledesk. */
	wallMs: number;
	msgPerSec: number;
	e2eMs: Spread;
	ackMs: Spread;
	/** Hook deliveries answered with anything but 2xx (or not at all). */
	failedAcks: number;
	/** Landbot's retries of a delivery (attempt > 1). */
	landbotRetries: number;
	cpuMs: number;
	cpuMsPerMessage: number | null;
	peakRssMB: number;
	cpuMsByThread: Record<string, number>;
	/** CLOCK_MONOTONIC µs (as V8's profiler counts), to cut a CPU profile to this round. */
	window: { fromUs: number; toUs: number };
	/** Raw samples, for pooling rounds (not written to the JSON). */
	samples: { e2e: number[]; ack: number[] };
}

const HANDOFF_FIELD = 'handoff_conversation';
let nextCustomerId = 800_000;

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Customers in a handoff on the way's channel, each with its Tiledesk conversation opened by the owner. */
export async function openConversations(p: Platforms, way: Way, count: number, tag: string): Promise<number[]> {
	const ids = Array.from({ length: count }, (_, i) => {
		const cid = nextCustomerId++;
		p.landbot.createCustomer({
			id: cid,
			channel_id: way.channelId,
			name: `${tag} ${i}`,
			agent_id: LANDBOT_AGENT_ID,
			fields: { [HANDOFF_FIELD]: requestIdFor(p, cid) },
		});
		return cid;
	});
	for (const cid of ids) {
		const res = await request(`${p.tiledesk.baseUrl}/${p.projectId}/requests/${requestIdFor(p, cid)}/messages`, {
			method: 'POST',
			headers: { authorization: TILEDESK_BASIC },
			body: { text: `Handoff of customer ${cid}`, attributes: { subtype: 'info' } },
		});
		if (res.status !== 200) throw new Error(`opening the Tiledesk conversation of ${cid}: ${res.status} ${res.text}`);
	}
	return ids;
}

/** Sends every message at its slot of one schedule for all conversations; returns the texts and when each went. */
async function offer(p: Platforms, ids: number[], messages: number, rate: number, tag: string) {
	const sent = new Map<number, string[]>(ids.map((cid) => [cid, []]));
	const sentAt = new Map<string, number>();
	const t0 = Date.now();
	for (let i = 0; i < messages; i++) {
		for (const [k, cid] of ids.entries()) {
			const due = t0 + ((i * ids.length + k) * 1000) / rate;
			if (due > Date.now()) await sleep(due - Date.now());
			const text = `${tag} c${cid} #${i + 1}`;
			sentAt.set(text, Date.now());
			p.landbot.customerSays(cid, text);
			sent.get(cid)!.push(text);
		}
	}
	return { sent, sentAt, t0 };
}

/** What the agent sees from each customer, in Tiledesk's order, with when each text first appeared. */
export function arrivals(p: Platforms, ids: number[]) {
	const received = new Map<number, string[]>();
	const firstSeen = new Map<string, number>();
	for (const cid of ids) {
		const texts: string[] = [];
		for (const m of p.tiledesk.getMessages(requestIdFor(p, cid))) {
			if (m.sender !== `landbot-${cid}`) continue;
			const text = m.text ?? '';
			texts.push(text);
			if (!firstSeen.has(text)) firstSeen.set(text, Date.parse(m.createdAt));
		}
		received.set(cid, texts);
	}
	return { received, firstSeen };
}

async function drain(p: Platforms, ids: number[], sentAt: Map<string, number>, timeoutMs: number): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const { firstSeen } = arrivals(p, ids);
		if ([...sentAt.keys()].every((text) => firstSeen.has(text))) return true;
		await sleep(100);
	}
	return false;
}

export async function runRound(p: Platforms, way: Way, spec: RoundSpec): Promise<RoundResult> {
	const tag = `${way.name.replace(/\W+/g, '-')}-r${spec.round}`;
	const ids = await openConversations(p, way, spec.conversations, tag);
	const startedAt = Date.now();
	const fromUs = monotonicUs();
	const cpuBefore = groupCpuMs(way.groups());
	const threadsBefore = threadCpuMs(way.groups());
	const rss = rssSampler(() => way.groups());

	const { sent, sentAt, t0 } = await offer(p, ids, spec.messages, spec.rate, tag);
	const complete = await drain(p, ids, sentAt, spec.drainTimeoutMs);
	// Answers, retries and late duplicates: Landbot's queues empty, then the executions' tails.
	await p.landbot.idle(60_000).catch(() => undefined);
	await sleep(1_000);

	const cpuMs = Math.round(groupCpuMs(way.groups()) - cpuBefore);
	const cpuMsByThread = subtractThreads(threadCpuMs(way.groups()), threadsBefore);
	const peakRssMB = rss.stop();
	const toUs = monotonicUs();
	return summarize(p, way, spec, { ids, sent, sentAt, t0, startedAt, complete, cpuMs, cpuMsByThread, peakRssMB, fromUs, toUs });
}

function summarize(
	p: Platforms,
	way: Way,
	spec: RoundSpec,
	m: {
		ids: number[];
		sent: Map<number, string[]>;
		sentAt: Map<string, number>;
		t0: number;
		startedAt: number;
		complete: boolean;
		cpuMs: number;
		cpuMsByThread: Record<string, number>;
		peakRssMB: number;
		fromUs: number;
		toUs: number;
	},
): RoundResult {
	const { received, firstSeen } = arrivals(p, m.ids);
	const counts = sum(m.ids.map((cid) => compare(m.sent.get(cid)!, received.get(cid)!)));
	const e2e = [...m.sentAt].filter(([text]) => firstSeen.has(text)).map(([text, at]) => firstSeen.get(text)! - at);
	const delivered = e2e.length;
	const lastArrival = Math.max(m.t0, ...firstSeen.values());
	const wallMs = lastArrival - m.t0;
	const acks = way.tap.acksFor(new URL(way.hookUrl).pathname, m.startedAt);
	const deliveries = p.landbot.getDeliveries().filter((d) => d.url === way.hookUrl && d.at >= m.startedAt);
	return {
		way: way.name,
		round: spec.round,
		conversations: spec.conversations,
		messagesPerConversation: spec.messages,
		offeredRate: spec.rate,
		sent: m.sentAt.size,
		delivered,
		complete: m.complete,
		wallMs,
		msgPerSec: wallMs > 0 ? round1((delivered * 1000) / wallMs) : 0,
		e2eMs: spread(e2e),
		ackMs: spread(acks.map((a) => a.ms)),
		failedAcks: deliveries.filter((d) => d.status === null || d.status < 200 || d.status >= 300).length,
		landbotRetries: deliveries.filter((d) => d.attempt > 1).length,
		cpuMs: m.cpuMs,
		cpuMsPerMessage: ratio(m.cpuMs, delivered),
		peakRssMB: m.peakRssMB,
		cpuMsByThread: m.cpuMsByThread,
		...counts,
		window: { fromUs: m.fromUs, toUs: m.toUs },
		samples: { e2e, ack: acks.map((a) => a.ms) },
	};
}
