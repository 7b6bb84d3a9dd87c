/**
 * The workload and the counting of the reliability suites: Landbot customers already handed off to
 * Tiledesk (templates 2 and 3 relay them), conversations writing both ways on a fixed beat, and
 * lost / duplicated / reordered counts per conversation from what each side shows.
 */
import type { N8nInstance } from './n8n';
import {
	LANDBOT_AGENT_ID,
	type Platforms,
	isInfoLine,
	requestIdFor,
	sleep,
	waitForLandbotTrigger,
	waitForTiledeskTrigger,
	waitUntil,
} from './relay';
import { PLACEHOLDERS, TEMPLATE_FILES, type Template, loadTemplate, webhookPath } from './templates';

export const FULL = process.env.HANDOFF_RELIABILITY === 'full';
export const WRITE_EVERY_MS = 200;
/** A full run waits up to 10 min for a backlog to drain, then up to 3 min for the platforms' retries. */
export const TEST_TIMEOUT_MS = FULL ? 20 * 60_000 : 300_000;
const HANDOFF_FIELD = 'handoff_conversation';

export interface Counts {
	lost: number;
	duplicated: number;
	reordered: number;
}

export const NONE: Counts = { lost: 0, duplicated: 0, reordered: 0 };

/** What arrived against what was sent, for one conversation: a reordered message arrived after a later one. */
export function compare(sent: string[], received: string[]): Counts {
	const position = new Map(sent.map((text, index) => [text, index]));
	const seen = new Set<string>();
	let duplicated = 0;
	let reordered = 0;
	let highest = -1;
	for (const text of received) {
		if (seen.has(text)) {
			duplicated++;
			continue;
		}
		seen.add(text);
		const index = position.get(text) ?? -1;
		if (index < highest) reordered++;
		highest = Math.max(highest, index);
	}
	return { lost: sent.filter((text) => !seen.has(text)).length, duplicated, reordered };
}

export const sum = (all: Counts[]): Counts =>
	all.reduce((a, b) => ({ lost: a.lost + b.lost, duplicated: a.duplicated + b.duplicated, reordered: a.reordered + b.reordered }), NONE);

/** Templates 2 (Landbot → Tiledesk) and 3 (Tiledesk → Landbot), unchanged but for the channel. */
export function relayTemplates(p: Platforms): { toTiledesk: Template; toLandbot: Template } {
	return {
		toTiledesk: loadTemplate(TEMPLATE_FILES.landbotToTiledesk, { [PLACEHOLDERS.landbotChannelId]: String(p.channelId) }),
		toLandbot: loadTemplate(TEMPLATE_FILES.tiledeskToLandbot),
	};
}

export async function waitForRelayTriggers(n8n: N8nInstance, p: Platforms, t: ReturnType<typeof relayTemplates>) {
	await Promise.all([
		waitForLandbotTrigger(n8n, p, webhookPath(t.toTiledesk, 'Customer message in a handoff')),
		waitForTiledeskTrigger(n8n, p, webhookPath(t.toLandbot, 'Agent message'), ['message.create']),
	]);
}

/** Reads and drives the handed-off conversations of one suite. */
export class Conversations {
	private nextCustomerId = 700_000;

	constructor(private readonly p: Platforms) {}

	/** What the agent sees of a customer's messages (their first, opening one included). */
	customerTexts(cid: number): string[] {
		return this.p.tiledesk
			.getMessages(requestIdFor(this.p, cid))
			.filter((m) => m.sender === `landbot-${cid}` && !isInfoLine(m))
			.map((m) => m.text ?? '');
	}

	/** What the customer sees of the agent's messages. */
	agentTexts(cid: number): string[] {
		return this.p.landbot
			.getCustomerState(cid)
			.messages.filter((m) => m.author_type === 'agent')
			.map((m) => m.message);
	}

	/**
	 * Customers already handed off (the handoff field names their Tiledesk conversation, as template 1
	 * leaves it), each conversation opened in Tiledesk by a first customer message through the relay.
	 */
	async open(tag: string, count: number): Promise<number[]> {
		const ids = Array.from({ length: count }, (_, i) => {
			const cid = this.nextCustomerId++;
			this.p.landbot.createCustomer({
				id: cid,
				channel_id: this.p.channelId,
				name: `${tag} ${i}`,
				agent_id: LANDBOT_AGENT_ID,
				fields: { [HANDOFF_FIELD]: requestIdFor(this.p, cid) },
			});
			return cid;
		});
		for (const cid of ids) this.p.landbot.customerSays(cid, `hello from ${cid}`);
		await waitUntil(`${count} conversations opened in Tiledesk`, () => ids.every((cid) => this.customerTexts(cid).length >= 1), {
			timeoutMs: 180_000,
			pollMs: 250,
		});
		return ids;
	}

	/**
	 * Every conversation writes `messages` customer messages and `agentMessages` agent messages on a
	 * beat of WRITE_EVERY_MS, out of step with each other. `during(i)` runs before message i of the
	 * first conversation (e.g. to crash n8n). Returns what was written, per conversation.
	 */
	async write(
		ids: number[],
		opts: { messages: number; agentMessages: number; during?: (i: number) => void },
	): Promise<{ toAgent: Map<number, string[]>; toCustomer: Map<number, string[]> }> {
		const toAgent = new Map<number, string[]>(ids.map((cid) => [cid, []]));
		const toCustomer = new Map<number, string[]>(ids.map((cid) => [cid, []]));
		await Promise.all(
			ids.map(async (cid, k) => {
				await sleep(k * 7);
				for (let i = 1; i <= Math.max(opts.messages, opts.agentMessages); i++) {
					if (k === 0) opts.during?.(i);
					if (i <= opts.messages) {
						const text = `customer ${cid} #${i}`;
						this.p.landbot.customerSays(cid, text);
						toAgent.get(cid)!.push(text);
					}
					await sleep(WRITE_EVERY_MS / 2);
					if (i <= opts.agentMessages) {
						const text = `agent ${cid} #${i}`;
						this.p.tiledesk.agentSays(requestIdFor(this.p, cid), this.p.agentId, text);
						toCustomer.get(cid)!.push(text);
					}
					await sleep(WRITE_EVERY_MS / 2);
				}
			}),
		);
		return { toAgent, toCustomer };
	}

	/**
	 * Waits until every written message has reached the other side at least once, or the timeout
	 * (what is still missing then is counted as lost). Returns how many messages were written.
	 */
	async relayed(ids: number[], written: { toAgent: Map<number, string[]>; toCustomer: Map<number, string[]> }, timeoutMs: number) {
		const total = ids.reduce((n, cid) => n + written.toAgent.get(cid)!.length + written.toCustomer.get(cid)!.length, 0);
		await waitUntil(
			`${total} messages relayed`,
			() =>
				ids.every((cid) => {
					const atAgent = new Set(this.customerTexts(cid));
					const atCustomer = new Set(this.agentTexts(cid));
					return written.toAgent.get(cid)!.every((t) => atAgent.has(t)) && written.toCustomer.get(cid)!.every((t) => atCustomer.has(t));
				}),
			{ timeoutMs, pollMs: 500 },
		).catch(() => undefined);
		return total;
	}

	/**
	 * What `relayed` waits for, and then the recovery a user would see: when agent messages are
	 * still missing (Tiledesk gave up on them under an overload), each such conversation's agent
	 * writes once more, and the Tiledesk Trigger's catch-up brings what was missed first, in order.
	 * Returns the messages written, and the counts before that next message.
	 */
	async relayedWithCatchUp(
		ids: number[],
		written: { toAgent: Map<number, string[]>; toCustomer: Map<number, string[]> },
		timeoutMs: number,
	): Promise<{ total: number; beforeNextMessage?: ReturnType<Conversations['count']> }> {
		const missingIn = () =>
			ids.filter((cid) => {
				const atCustomer = new Set(this.agentTexts(cid));
				return written.toCustomer.get(cid)!.some((text) => !atCustomer.has(text));
			});
		const arrived = () => ids.reduce((n, cid) => n + this.agentTexts(cid).length + this.customerTexts(cid).length, 0);
		// Until everything arrived, or nothing more arrived for a minute (what is left was given up on).
		const deadline = Date.now() + timeoutMs;
		let total = 0;
		for (let before = -1; Date.now() < deadline && arrived() !== before; ) {
			before = arrived();
			total = await this.relayed(ids, written, Math.min(60_000, deadline - Date.now()));
		}
		const missing = missingIn();
		if (missing.length === 0) return { total };
		const beforeNextMessage = this.count(ids, written);
		// Only once Tiledesk has stopped retrying: the next message then finds the rest given up.
		await this.p.tiledesk.idle(120_000);
		for (const cid of missing) {
			const text = `agent ${cid} #next`;
			this.p.tiledesk.agentSays(requestIdFor(this.p, cid), this.p.agentId, text);
			written.toCustomer.get(cid)!.push(text);
		}
		total = await this.relayed(ids, written, 180_000);
		return { total, beforeNextMessage };
	}

	/**
	 * For each message that did not arrive: the source platform's delivery attempts of it (status or
	 * error, seconds after the first), so a failing run says whether the platform gave up, or never sent.
	 */
	trail(ids: number[], written: { toAgent: Map<number, string[]>; toCustomer: Map<number, string[]> }, limit = 10): string[] {
		const lines: string[] = [];
		const describe = (text: string, attempts: Array<{ at: number; status: number | null; error?: string; gaveUp?: boolean; body: unknown }>) => {
			const mine = attempts.filter((a) => JSON.stringify(a.body).includes(JSON.stringify(text)));
			const first = mine[0]?.at ?? 0;
			const steps = mine.map((a) => `${((a.at - first) / 1000).toFixed(1)}s ${a.status ?? a.error ?? 'no answer'}${a.gaveUp ? ' (gave up)' : ''}`);
			return `${text}: ${steps.length ? steps.join(', ') : 'never delivered'}`;
		};
		const landbotAttempts = this.p.landbot.getDeliveries();
		const tiledeskAttempts = this.p.tiledesk.getDeliveries();
		for (const cid of ids) {
			const atAgent = new Set(this.customerTexts(cid));
			const atCustomer = new Set(this.agentTexts(cid));
			for (const text of written.toAgent.get(cid)!) if (!atAgent.has(text)) lines.push(`Landbot → ${describe(text, landbotAttempts)}`);
			for (const text of written.toCustomer.get(cid)!) if (!atCustomer.has(text)) lines.push(`Tiledesk → ${describe(text, tiledeskAttempts)}`);
		}
		return [...lines.slice(0, limit), ...this.recoveryTrail(ids, written)];
	}

	/**
	 * For conversations still missing agent messages after their `#next` message: that message's
	 * delivery attempts, and what the relay asked Tiledesk and Landbot about the conversation since
	 * (did it read back? did the sends fail?), so a failed recovery says where it stopped.
	 */
	private recoveryTrail(ids: number[], written: { toCustomer: Map<number, string[]> }, limit = 3): string[] {
		const lines: string[] = [];
		const tiledeskAttempts = this.p.tiledesk.getDeliveries();
		for (const cid of ids) {
			const next = `agent ${cid} #next`;
			const atCustomer = new Set(this.agentTexts(cid));
			const missing = written.toCustomer.get(cid)!.filter((text) => !atCustomer.has(text));
			if (!written.toCustomer.get(cid)!.includes(next) || missing.length === 0) continue;
			const mine = tiledeskAttempts.filter((a) => JSON.stringify(a.body).includes(JSON.stringify(next)));
			const since = mine[0]?.at ?? Date.now();
			const attempts = mine.map((a) => `${((a.at - since) / 1000).toFixed(1)}s ${a.status ?? a.error ?? 'no answer'}`).join(', ');
			const request = requestIdFor(this.p, cid);
			const tiledeskCalls = this.p.tiledesk
				.getCalls()
				.filter((call) => call.at >= since && call.path.includes(request))
				.map((call) => `${call.method} …${call.path.slice(call.path.indexOf(request) + request.length) || '/'} ${call.status ?? ''}${call.injected ? ' (injected)' : ''}`);
			const landbotCalls = this.p.landbot
				.getCalls()
				.filter((call) => call.at >= since && call.path.includes(`/${cid}/`))
				.map((call) => `${call.method} ${call.status ?? ''}`);
			lines.push(
				`conversation ${cid}: ${missing.length} missing after #next (${missing.includes(next) ? 'it too' : 'it arrived'}); #next attempts: ${attempts || 'none'}; ` +
					`Tiledesk calls since: ${tiledeskCalls.join(', ') || 'none'}; Landbot calls since: ${landbotCalls.length} (${[...new Set(landbotCalls)].join(', ')})`,
			);
			if (lines.length >= limit) break;
		}
		return lines;
	}

	/** Lost / duplicated / reordered, each direction, summed over the conversations. */
	count(ids: number[], written: { toAgent: Map<number, string[]>; toCustomer: Map<number, string[]> }) {
		return {
			customerToAgent: sum(ids.map((cid) => compare(written.toAgent.get(cid)!, this.customerTexts(cid).slice(1)))),
			agentToCustomer: sum(ids.map((cid) => compare(written.toCustomer.get(cid)!, this.agentTexts(cid)))),
		};
	}
}
