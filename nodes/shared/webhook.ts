import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { DeliveryTicketInput, SequencerOptions } from './sequencer';
import { sequencerFor } from './sequencer';

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
): Promise<IWebhookResponseData> {
	const sequencer = sequencerFor(`${context.getWorkflow().id ?? ''}:${context.getNode().id}`, options);
	// Under a flood the platform's own retries carry the load, instead of this process's memory.
	if (sequencer.full) return retryLater(context);
	const turn = await sequencer.admit(delivery);
	const response = context.getResponseObject();
	switch (turn.kind) {
		case 'duplicate':
			return acknowledgeOnly();
		case 'busy':
			return retryLater(context);
		case 'follow': {
			// Carried by another delivery's execution: answered as that one is.
			const outcome = await turn.outcome;
			if (outcome === 'done') response.status(200).json({ received: true }).end();
			else if (outcome === 'failed') response.status(500).json({ error: 'Relay failed; retry' }).end();
			else return retryLater(context);
			return { noWebhookResponse: true };
		}
		case 'lead':
			onAnswer(response, (status) => turn.finish(status < 400));
			return { workflowData: [turn.items] };
	}
}

/**
 * Calls back when n8n answers the request: in lastNode mode that is when the execution has ended,
 * also when the platform has hung up meanwhile (n8n still ends the response).
 */
function onAnswer(response: ReturnType<IWebhookFunctions['getResponseObject']>, callback: (status: number) => void): void {
	const end = response.end.bind(response) as (...args: unknown[]) => unknown;
	let answered = false;
	(response as unknown as IDataObject).end = (...args: unknown[]) => {
		if (!answered) {
			answered = true;
			callback(response.statusCode);
		}
		return end(...args);
	};
}

/**
 * The sequencer's view of a delivery that emits these events: its conversation, and the source's
 * order (the earliest event's own timestamp).
 */
export function deliveryOf(key: string, items: INodeExecutionData[]): DeliveryTicketInput {
	const first = items[0]?.json ?? {};
	const times = items.map((item) => Date.parse(String(item.json.timestamp ?? ''))).filter(Number.isFinite);
	return {
		key,
		conversation: String(first.conversationId ?? first.customerId ?? ''),
		order: times.length ? Math.min(...times) : Date.now(),
		sentAt: times.length ? Math.min(...times) : undefined,
		items,
		// JSON length ≈ the memory the parsed items hold, near enough for a flood bound.
		size: JSON.stringify(items).length,
	};
}
