import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { CatchUp } from './catchUp';
import { withMissed } from './catchUp';
import type { DeliveryTicketInput, SequencerOptions, Turn } from './sequencer';
import { sequencerFor } from './sequencers';
import { stampSourceKeys } from './sourceKeys';
import { handOverToOwner, handedOverAfterUnanswered } from './webhookProcesses';

/** Answers a delivery without starting the workflow. */
function reject(context: IWebhookFunctions, status: number, body: object): IWebhookResponseData {
	context.getResponseObject().status(status).json(body).end();
	return { noWebhookResponse: true };
}

/** Wrong or missing webhook secret: 401, no execution. The secret itself is never echoed or logged. */
export function rejectUnauthorized(context: IWebhookFunctions): IWebhookResponseData {
	return reject(context, 401, { error: 'Unauthorized' });
}

/** A body this trigger cannot read: 400 with a short reason, no execution. */
export function rejectBadRequest(context: IWebhookFunctions, reason: string): IWebhookResponseData {
	return reject(context, 400, { error: 'Bad Request', reason });
}

/** Deeper than any platform's payload; JSON.stringify and String() overflow the stack on ~5,000 levels. */
export const MAX_BODY_DEPTH = 64;

/** Whether a parsed body nests deeper than `max` levels; iterative, so it never overflows itself. */
export function nestedTooDeep(value: unknown, max = MAX_BODY_DEPTH): boolean {
	const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
	while (stack.length > 0) {
		const { value: current, depth } = stack.pop()!;
		if (current === null || typeof current !== 'object') continue;
		if (depth >= max) return true;
		for (const child of Object.values(current as object)) stack.push({ value: child, depth: depth + 1 });
	}
	return false;
}

/**
 * A body nested deeper than any platform sends: 400 before anything reads it (serialising it, as
 * hashing a key or saving the execution does, would throw). Call right after the secret check.
 */
export function rejectTooDeep(context: IWebhookFunctions): IWebhookResponseData | undefined {
	return nestedTooDeep(context.getBodyData()) ? rejectBadRequest(context, `nested deeper than ${MAX_BODY_DEPTH} levels`) : undefined;
}

/** Not now (a copy whose relay has not ended, or too much waiting): 503 with Retry-After, nothing runs. */
function retryLater(context: IWebhookFunctions): IWebhookResponseData {
	context.getResponseObject().status(503).set('Retry-After', '30').json({ error: 'Still relaying; retry later' }).end();
	return { noWebhookResponse: true };
}

/** A valid delivery with nothing to run (filtered out, duplicate, echo): 200 so the platform does not retry. */
export function acknowledgeOnly(): IWebhookResponseData {
	return { webhookResponse: { received: true } };
}

/** How a trigger's relay is answered: only once the execution it starts has ended (responseMode lastNode). */
export const RELAY_RESPONSE = { responseMode: 'lastNode', responseData: 'noData' } as const;

/**
 * Runs a delivery through the node's sequencer (see sequencer.ts): the workflow starts when it is
 * this conversation's turn, and the platform is answered when that execution ends — 200 once the
 * relay is done, 500 if it failed, so the platform's retry covers a crash or a failure.
 * The trigger's webhook must use RELAY_RESPONSE.
 */
export async function relayInOrder(
	context: IWebhookFunctions,
	delivery: DeliveryTicketInput,
	options: SequencerOptions,
	catchUp?: CatchUp,
): Promise<IWebhookResponseData> {
	const handedOver = await handOverToOwner(context, delivery.conversation, options.webhookProcesses ?? [], delivery.key);
	if (handedOver) return handedOver;
	const readsBack = catchUp !== undefined && options.keepOrder;
	const sequencer = sequencerFor(`${context.getWorkflow().id ?? ''}:${context.getNode().id}`, { ...options, readsBack });
	const neverReached = handedOverAfterUnanswered(context);
	if (neverReached) sequencer.readBacks.forget(delivery.conversation, neverReached);
	// Under a flood the platform's own retries carry the load, instead of this process's memory.
	if (sequencer.full) {
		// The platform may give up on it: the conversation's next delivery reads back what it missed.
		sequencer.pushBack(delivery);
		return retryLater(context);
	}
	const readBack = readsBack && sequencer.readBacks.mayHaveMissed(delivery.conversation);
	let admitted: Promise<Turn> | undefined;
	if (readBack) {
		let relayedBefore = false;
		// Read back before it was sent, this process relayed what came since: the mark may be past a straggler.
		const markSaysAll = sequencer.readBacks.markSaysAll(delivery.conversation, delivery.sentAt);
		await sequencer.readBacks.once(delivery.conversation, async () => {
			try {
				const gaps = sequencer.readBacks.gapsOf(delivery.conversation);
				const found = await catchUp.missed(context, gaps);
				relayedBefore = found.relayed && markSaysAll && !gaps.has(delivery.key) && !sequencer.seen(delivery.key);
				const ticket = withMissed(delivery, found.missed.filter((entry) => !sequencer.seen(entry.key)));
				// Admitted before the read-back ends, so a delivery waiting for it finds these keys taken.
				if (!relayedBefore) admitted = sequencer.admit(ticket);
			} catch {
				// The platform could not be read (down, or n8n too busy to read it in time). Relaying this
				// delivery alone would move the mark past what may be missing: the platform retries it,
				// and that retry (or the conversation's next delivery) reads again.
				sequencer.readBacks.forget(delivery.conversation, [delivery.key]);
			}
		});
		if (relayedBefore) return acknowledgeOnly();
		// The read failed, this one's or the one it waited for: same answer, so order holds.
		if (!admitted && sequencer.readBacks.mayHaveMissed(delivery.conversation)) return retryLater(context);
	}
	const turn = await (admitted ?? sequencer.admit(delivery));
	const response = context.getResponseObject();
	switch (turn.kind) {
		case 'duplicate':
			return acknowledgeOnly();
		case 'busy':
			// Whatever is not answered 200 the platform may give up on: the next delivery reads back.
			sequencer.readBacks.forget(delivery.conversation, [delivery.key]);
			return retryLater(context);
		case 'follow': {
			// Carried by another delivery's execution: answered as that one is.
			const outcome = await turn.outcome;
			if (outcome === 'done') response.status(200).json({ received: true }).end();
			else if (outcome === 'failed') response.status(500).json({ error: 'Relay failed; retry' }).end();
			else {
				sequencer.readBacks.forget(delivery.conversation, [delivery.key]);
				return retryLater(context);
			}
			return { noWebhookResponse: true };
		}
		case 'lead': {
			// The relay's mark is written before the platform (and the deliveries behind it) hear of its end.
			const mark = catchUp && options.keepOrder ? async () => await catchUp.mark(context, turn.items) : undefined;
			onAnswer(response, (status) => turn.finish(status < 400), mark);
			return { workflowData: [turn.items] };
		}
	}
}

/**
 * Calls back when n8n answers the request: in lastNode mode that is when the execution has ended,
 * also when the platform has hung up meanwhile (n8n still ends the response). After a success,
 * `beforeSuccess` runs first and the answer waits for it (its failure is not the relay's).
 */
function onAnswer(
	response: ReturnType<IWebhookFunctions['getResponseObject']>,
	callback: (status: number) => void,
	beforeSuccess?: () => Promise<void>,
): void {
	const end = response.end.bind(response) as (...args: unknown[]) => unknown;
	let answered = false;
	(response as unknown as IDataObject).end = (...args: unknown[]) => {
		if (answered) return end(...args);
		answered = true;
		const status = response.statusCode;
		if (!beforeSuccess || status >= 400) {
			callback(status);
			return end(...args);
		}
		void beforeSuccess()
			.catch(() => undefined)
			.then(() => {
				callback(status);
				end(...args);
			});
		return response;
	};
}

/**
 * The sequencer's view of a delivery that emits these events: its conversation, and the source's
 * order (the earliest event's own timestamp). A key the platform keeps across retries (`stable`)
 * goes into each message as its `sourceKey`.
 */
export function deliveryOf(key: string, items: INodeExecutionData[], stable = true): DeliveryTicketInput {
	if (stable) stampSourceKeys(key, items);
	const first = items[0]?.json ?? {};
	const times = items.map((item) => Date.parse(String(item.json.timestamp ?? ''))).filter(Number.isFinite);
	return {
		key,
		conversation: String(first.conversationId ?? first.customerId ?? ''),
		order: times.length ? Math.min(...times) : Date.now(),
		// Without a stable key the platform sent no id, and its times are receipt times (Botpress).
		sentAt: times.length && stable ? Math.min(...times) : undefined,
		items,
		// JSON length ≈ the memory the parsed items hold, near enough for a flood bound.
		size: JSON.stringify(items).length,
	};
}
