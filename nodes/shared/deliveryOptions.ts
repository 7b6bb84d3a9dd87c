import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { webhookProcessList } from './webhookProcesses';

const DEFAULT_HOLD_BACK_MS = 300;
const DEFAULT_MAX_BATCH = 1;
/** Waiting for the way's delay is capped: platforms retry a delivery not answered within ~10 s. */
const MAX_LAG_HOLD_MS = 5 * 1000;
/**
 * How long a relay may run before its conversation goes on without it. n8n 2.40.7 in queue mode can
 * fail to answer a lastNode webhook whose job finished quickly (seen: 1 in ~40), which would
 * otherwise hold the conversation forever. Longer than a relay of one item (a call retries for at
 * most 60 s); a batch gets 10 s more per extra item (sequencer.ts).
 */
const MAX_RUN_MS = 60 * 1000;
/**
 * Per trigger node and process. n8n 2.40 holds one of its expression isolates for each webhook
 * request of a non-Webhook trigger until the request is answered, so a delivery waiting its turn
 * costs ~10 MB outside the JS heap (measured: 200 waiting, +2.1 GB RSS). 100 bounds that to ~1 GB.
 */
const DEFAULT_MAX_WAITING = 100;
const MAX_BACKLOG_BYTES = 64 * 1024 * 1024;
/** Each execution costs n8n memory and ~250 ms of CPU; more at once only queues inside n8n. */
const DEFAULT_MAX_RUNNING = 16;

/** What a trigger's sequencer (sequencer.ts) runs with; deliveryOptions() makes them from the node's. */
export interface SequencerOptions {
	/** How long a delivery waits for stragglers of the same conversation before it starts. */
	holdBackMs: number;
	/** At most this much more waiting when the way's delay grows (a saturated n8n, a slow network). */
	maxLagHoldMs: number;
	/** At most this many queued deliveries start together in one execution. */
	maxBatch: number;
	/** Deliveries of several conversations waiting for a free execution may share one (up to maxBatch). */
	batchAcross?: boolean;
	/** Drop retries of deliveries that are relaying or have relayed. */
	dropDuplicates: boolean;
	/** Off: every delivery starts at once, on a line of its own (n8n's own concurrency decides). */
	keepOrder: boolean;
	/** How long a completed delivery's key is remembered (the platform's retry horizon). */
	rememberMs: number;
	/** How many completed keys are remembered at most, oldest forgotten first. */
	rememberMax: number;
	/** A relay whose end is never observed releases its conversation after this long. */
	maxRunMs: number;
	/** Beyond this many deliveries waiting or relaying, new ones are pushed back (503, retried by the platform). */
	maxBacklog: number;
	/** Likewise beyond this many bytes of items waiting or relaying. */
	maxBacklogBytes: number;
	/** At most this many executions run at once; other conversations' turns wait for a free one. */
	maxRunning: number;
	/** Queue mode: the webhook processes' own addresses; each conversation is relayed by one of them (webhookProcesses.ts). */
	webhookProcesses?: string[];
	/**
	 * The trigger reads a conversation back after one of its deliveries may have been given up on
	 * (catchUp.ts): the deliveries waiting behind a failed relay then go back to the platform too,
	 * instead of being relayed past what is missing.
	 */
	readsBack?: boolean;
	now?: () => number;
	/** Tests: a timer that does not keep the process alive. */
	sleep?: (ms: number) => Promise<void>;
}

/** Options every relaying trigger offers in its "Options" collection, beside "Drop Duplicate Deliveries". */
export const deliveryOptionFields: INodeProperties[] = [
	{
		displayName: 'Keep Order Per Conversation',
		name: 'keepOrder',
		type: 'boolean',
		default: true,
		description:
			"Whether to relay one conversation's deliveries one after another, in the platform's order, whatever n8n's concurrency. Off: each delivery runs at once, in parallel.",
	},
	{
		displayName: 'Hold Back (Ms)',
		name: 'holdBackMs',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 10000 },
		default: DEFAULT_HOLD_BACK_MS,
		description:
			"How long a delivery waits for an earlier message of the same conversation that is still on its way, so both go out in order, on top of the delay deliveries currently take to reach this trigger (a busy n8n hands requests over late and out of order; that part is measured from the events' own times and capped at 5 s). Adds this much latency. 0: no waiting at all.",
	},
	{
		displayName: 'Max Deliveries Per Execution',
		name: 'maxBatch',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 500 },
		default: DEFAULT_MAX_BATCH,
		description:
			"Deliveries of one conversation that queued up while its previous relay ran start together, as the items of one execution, in order: fewer executions under a backlog. Keep 1 unless the workflow is a straight line of this package's nodes: n8n's Retry On Fail runs a node again for all its items, and branches run one after the other.",
	},
	{
		displayName: 'Batch Across Conversations',
		name: 'batchAcross',
		type: 'boolean',
		default: false,
		description:
			"Whether deliveries of several conversations that wait for a free execution start together, as the items of one execution (each conversation's items together and in order), up to Max Deliveries Per Execution. n8n's cost is per execution, so under load this relays several times more per second. A failed execution is retried by the platform for every conversation in it. Needs Max Deliveries Per Execution above 1; batches form once Max Executions At Once are running.",
	},
	{
		displayName: 'Max Executions At Once',
		name: 'maxRunning',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 1000 },
		default: DEFAULT_MAX_RUNNING,
		description:
			"How many executions this trigger runs at the same time (one per conversation at most). Other conversations wait for a free one, up to Max Deliveries Waiting.",
	},
	{
		displayName: 'Max Deliveries Waiting',
		name: 'maxWaiting',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 10000 },
		default: DEFAULT_MAX_WAITING,
		description:
			"How many deliveries this trigger holds at once, waiting or relaying, before it asks the platform to retry later (503 with Retry-After): a flood is carried by the platform's retries instead of n8n's memory. Each waiting delivery costs n8n about 10 MB while it waits (an expression isolate n8n keeps per request), so 100 ≈ 1 GB. Raise it on a large machine facing bursts from many conversations at once.",
	},
	{
		displayName: 'Webhook Processes (Queue Mode)',
		name: 'webhookProcesses',
		type: 'string',
		default: '',
		placeholder: 'http://n8n-webhook-1:5678, http://n8n-webhook-2:5678',
		description:
			"Queue mode with several webhook processes behind a load balancer: each process's own address, as the others reach it, separated by commas — the same list on every process. Each conversation is then relayed by one of them, and the others hand its deliveries over, so order and duplicate dropping hold across processes. A delivery whose process is down gets 503 and the platform's retry. Leave empty with one webhook process or none (regular mode).",
	},
];

/** The sequencer options a trigger's "Options" collection chose; `rememberMs` = the platform's retry horizon. */
export function deliveryOptions(options: IDataObject, rememberMs: number): SequencerOptions {
	const keepOrder = options.keepOrder !== false;
	const number = (value: unknown, fallback: number): number =>
		typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
	const holdBackMs = keepOrder ? number(options.holdBackMs, DEFAULT_HOLD_BACK_MS) : 0;
	return {
		dropDuplicates: options.dropDuplicates !== false,
		holdBackMs,
		// 0 means "do not wait at all", also not for the way's delay.
		maxLagHoldMs: holdBackMs > 0 ? MAX_LAG_HOLD_MS : 0,
		maxBatch: Math.max(1, Math.floor(number(options.maxBatch, DEFAULT_MAX_BATCH))),
		batchAcross: options.batchAcross === true,
		keepOrder,
		rememberMs,
		rememberMax: 20000,
		maxRunMs: MAX_RUN_MS,
		maxBacklog: Math.max(1, Math.floor(number(options.maxWaiting, DEFAULT_MAX_WAITING))),
		maxBacklogBytes: MAX_BACKLOG_BYTES,
		maxRunning: Math.max(1, Math.floor(number(options.maxRunning, DEFAULT_MAX_RUNNING))),
		webhookProcesses: webhookProcessList(options.webhookProcesses),
	};
}
