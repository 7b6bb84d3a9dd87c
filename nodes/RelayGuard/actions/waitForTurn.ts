import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { earlierMessagesOf, waitForEarlier } from '../earlier';
import { orderOf, sentAtOf } from '../order';
import { guardFor, holdTurn } from '../turns';

const show = { show: { operation: ['waitForTurn'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Conversation',
		name: 'conversation',
		type: 'string',
		required: true,
		default: '',
		placeholder: '={{ $json.thread_ts }}',
		description: "Messages with the same value go on one at a time, in their order. E.g. the Slack thread's <code>thread_ts</code> or, in Teams, the ID of the message replied to (<code>replyToId</code>).",
		displayOptions: show,
	},
	{
		displayName: 'Order',
		name: 'order',
		type: 'string',
		required: true,
		default: '',
		placeholder: '={{ $json.ts }}',
		description: "The message's place in its conversation, as the source gives it: a Slack <code>ts</code>, a time (ISO 8601, e.g. Teams' <code>createdDateTime</code>) or an increasing number",
		displayOptions: show,
	},
	{
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '={{ $json.ts }}',
		description: "The same for every copy of a message (the platform's retries): a copy of one that is going on or went on leaves by the Duplicate output",
		displayOptions: show,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Earlier Messages',
				name: 'earlierMessages',
				type: 'string',
				default: '',
				placeholder: "={{ $('Replies').all().map(r => ({ messageId: r.json.ts, order: r.json.ts })) }}",
				description:
					"The conversation's messages as the source lists them (message IDs, or objects with <code>messageId</code> and <code>order</code>, read like Message ID and Order), when the execution has them: the message waits for the earlier ones that have not reached the guard yet, however late they are, up to Wait for Earlier. List only messages that come this way (not the relay's own posts).",
			},
			{
				displayName: 'Hold Back (Ms)',
				name: 'holdBackMs',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 10000 },
				default: 300,
				description:
					"How long a message waits for an earlier one of its conversation still on its way, on top of the delay messages currently take to get here when Order is a time (measured, capped at 5 s). 0: no waiting.",
			},
			{
				displayName: 'Remember For (Minutes)',
				name: 'rememberMinutes',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 1440 },
				default: 240,
				description:
					"How long a relayed message's ID is kept to drop its copies (at most 20,000 IDs). Slack retries for 5 minutes, Microsoft Graph for up to 4 hours.",
			},
			{
				displayName: 'Turn Timeout (Seconds)',
				name: 'turnTimeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 3600 },
				default: 60,
				description:
					'How long a turn lasts without End Turn before the conversation goes on (an execution that failed half-way). A copy of that message then leaves by the Duplicate output: it may have been relayed.',
			},
			{
				displayName: 'Wait for Earlier (Seconds)',
				name: 'waitForEarlierSeconds',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 600 },
				default: 20,
				description:
					'With Earlier Messages: how long a message waits at most for an earlier one, and how far back (for times) an earlier one is still expected. One that has not come by then is not waited for again.',
			},
		],
	},
];

interface Entry {
	index: number;
	conversation: string;
	order: number;
	messageId: string;
}

/** A non-empty text or number parameter, or a NodeOperationError naming it. */
function keyParameter(this: IExecuteFunctions, name: string, label: string, index: number): string {
	const value = this.getNodeParameter(name, index) as unknown;
	if ((typeof value === 'string' && value.trim() !== '') || (typeof value === 'number' && Number.isFinite(value))) return String(value).trim();
	throw new NodeOperationError(this.getNode(), `${label} is empty`, {
		itemIndex: index,
		description: `Set "${label}" to an expression that gives each message its value, e.g. {{ $json.ts }}.`,
	});
}

function entryOf(this: IExecuteFunctions, index: number): Entry {
	const conversation = keyParameter.call(this, 'conversation', 'Conversation', index);
	const rawOrder = this.getNodeParameter('order', index) as unknown;
	const order = orderOf(rawOrder);
	if (order === undefined) {
		throw new NodeOperationError(this.getNode(), `Order "${String(rawOrder)}" is not a number or a date`, {
			itemIndex: index,
			description: 'Set "Order" to the source\'s own order: a Slack ts, an ISO 8601 time or an increasing number.',
		});
	}
	return { index, conversation, order, messageId: keyParameter.call(this, 'messageId', 'Message ID', index) };
}

/**
 * Lets each message through when its conversation's turn comes: after the messages before it (by
 * Order) that reached the guard within the hold-back, and once the previous message's execution
 * reached End Turn. Copies go to the second output. Items of one execution in one conversation go
 * through together, in order.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const number = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback);
	const guardId = `${this.getWorkflow().id ?? ''}:${this.getNode().id}`;
	const waitForEarlierMs = number(options.waitForEarlierSeconds, 20) * 1000;
	const guard = guardFor(guardId, {
		holdBackMs: number(options.holdBackMs, 300),
		turnTimeoutMs: number(options.turnTimeoutSeconds, 60) * 1000,
		rememberMs: number(options.rememberMinutes, 240) * 60 * 1000,
	});
	const executionId = this.getExecutionId();
	const cancelled = this.getExecutionCancelSignal?.();

	const conversations = new Map<string, Entry[]>();
	for (let index = 0; index < items.length; index++) {
		const entry = entryOf.call(this, index);
		conversations.set(entry.conversation, [...(conversations.get(entry.conversation) ?? []), entry]);
	}

	const through: INodeExecutionData[] = [];
	const copies: INodeExecutionData[] = [];
	const out = (entry: Entry, extra: IDataObject): INodeExecutionData => ({
		...items[entry.index],
		json: { ...items[entry.index].json, relayGuard: { conversation: entry.conversation, messageId: entry.messageId, ...extra } },
		pairedItem: { item: entry.index },
	});

	// One conversation after the other, in a fixed order: two executions never wait on each other in a circle.
	for (const conversation of [...conversations.keys()].sort()) {
		const entries = (conversations.get(conversation) ?? []).sort((a, b) => a.order - b.order);
		// The first message waits for its copies' outcome in admit(); the others of this execution are checked here.
		const fresh: Entry[] = [];
		for (const entry of entries) {
			const repeated = fresh.some((other) => other.messageId === entry.messageId);
			if (repeated || (fresh.length > 0 && guard.seen(entry.messageId))) copies.push(out(entry, { duplicate: true }));
			else fresh.push(entry);
		}
		if (fresh.length === 0) continue;

		const startedAt = Date.now();
		const [first, ...others] = fresh;
		const earlier = earlierMessagesOf.call(this, this.getNodeParameter('options.earlierMessages', first.index, '') as unknown, first.index);
		const waitedForEarlier = earlier.length
			? await waitForEarlier(guardId, earlier, { ids: fresh.map((entry) => entry.messageId), order: first.order }, (id) => guard.seen(id), waitForEarlierMs, cancelled)
			: 0;
		const turn = await guard.admit({
			key: first.messageId,
			alsoKeys: others.map((entry) => entry.messageId),
			conversation,
			order: first.order,
			sentAt: sentAtOf(first.order, startedAt),
			items: [],
		});
		if (turn.kind === 'lead') {
			// Cancelled while waiting: give the turn back at once instead of holding it until the timeout.
			if (cancelled?.aborted) {
				turn.finish(false);
				continue;
			}
			holdTurn(executionId, turn.finish, Date.now());
			const waitedMs = Date.now() - startedAt;
			for (const entry of fresh) through.push(out(entry, { waitedMs, ...(waitedForEarlier ? { waitedForEarlier } : {}) }));
		} else {
			// A copy: relayed or relaying (duplicate), or its first copy's turn timed out (busy).
			const unconfirmed = turn.kind === 'busy';
			for (const entry of fresh) copies.push(out(entry, { duplicate: true, ...(unconfirmed ? { unconfirmed } : {}) }));
		}
	}
	return [through, copies];
}
