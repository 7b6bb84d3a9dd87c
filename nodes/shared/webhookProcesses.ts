import { createHash, randomUUID } from 'crypto';
import type { IDataObject, IHttpRequestOptions, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

/**
 * Queue mode with several webhook processes: each conversation belongs to one of them (a hash of its
 * id over the list the user gives), and a process hands a delivery of a conversation it does not own
 * to the owner, as it came. The owner's sequencer then sees every delivery of that conversation, so
 * order and "drop duplicates" hold as with a single process — in-process state is enough where one
 * process owns the work. n8n gives webhook() no store shared between processes with an atomic
 * conditional write (docs/delivery-guarantees.md), which is what the alternative would need.
 */

/** Marks a handed-over delivery: the receiver relays it itself, whatever it would compute. */
export const HANDED_OVER_HEADER = 'x-handoff-handed-over-by';
/** The address the delivery was handed to, so a process that receives its own hand-over learns which address is itself. */
const HANDED_TO_HEADER = 'x-handoff-handed-over-to';
/** Longer than the owner's longest answer (a relay's run limit plus its wait), shorter than any platform's patience matters here. */
const HAND_OVER_TIMEOUT_MS = 120 * 1000;
/** Request headers that describe one connection, not the delivery. */
const CONNECTION_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'accept-encoding']);

/**
 * Tells the owner that deliveries of this conversation may never have reached it (hand-overs that
 * got no answer; the value lists their keys, URI-encoded, comma-separated): the owner reads the
 * conversation back before relaying, as after its own push-back, and looks for those wherever they sit.
 */
const MAY_HAVE_MISSED_HEADER = 'x-handoff-may-have-missed';

/** This process, for the hand-overs it receives from itself. */
const PROCESS_ID = randomUUID();
/** Addresses from the list that turned out to be this process. */
const ownAddresses = new Set<string>();
/**
 * Conversations (per trigger node) whose hand-over got no answer: the next hand-over says so. At
 * most MAX_UNANSWERED, oldest forgotten first (that conversation then catches up on its owner's
 * next restart or push-back only).
 */
const unanswered = new Map<string, string[]>();
const MAX_UNANSWERED = 10_000;
/** Keys named per conversation in the header, newest kept. */
const MAX_UNANSWERED_KEYS = 50;

/** The list as the user wrote it (commas, spaces or new lines between addresses), without trailing slashes. */
export function webhookProcessList(value: unknown): string[] {
	if (typeof value !== 'string') return [];
	return value
		.split(/[\s,]+/)
		.map((address) => address.trim().replace(/\/+$/, ''))
		.filter((address) => address !== '');
}

/** The address of the process that owns a conversation: the same on every process that has the same list. */
export function ownerOf(conversation: string, processes: string[]): string {
	const hash = createHash('sha256').update(conversation).digest();
	return processes[hash.readUInt32BE(0) % processes.length];
}

function headerValue(headers: IDataObject, name: string): string | undefined {
	const value = headers[name];
	return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

/**
 * Hands the delivery to the process that owns its conversation and answers the platform with the
 * owner's answer. Undefined when this process relays it itself: no list, a conversation without id,
 * a delivery handed over already, or a conversation this process owns.
 *
 * No limit here: a hand-over waits only while the owner holds the delivery, and the owner bounds
 * what it holds (Max Deliveries Waiting) — and, pushing back, notes that the conversation may miss
 * what the platform gives up on. A push-back here would leave the owner unaware of it.
 */
export async function handOverToOwner(
	context: IWebhookFunctions,
	conversation: string,
	processes: string[],
	key = '',
): Promise<IWebhookResponseData | undefined> {
	if (processes.length < 2 || conversation === '') return undefined;
	const headers = context.getHeaderData() as IDataObject;
	const handedOverBy = headerValue(headers, HANDED_OVER_HEADER);
	if (handedOverBy !== undefined) {
		const to = headerValue(headers, HANDED_TO_HEADER);
		if (handedOverBy === PROCESS_ID && to) ownAddresses.add(to);
		return undefined;
	}
	const owner = ownerOf(conversation, processes);
	if (ownAddresses.has(owner)) return undefined;

	const response = context.getResponseObject();
	const conversationKey = `${context.getWorkflow().id ?? ''}:${context.getNode().id}:${conversation}`;
	const request = context.getRequestObject();
	const forwarded: IDataObject = {};
	for (const [name, value] of Object.entries(headers)) {
		if (!CONNECTION_HEADERS.has(name.toLowerCase()) && value !== undefined) forwarded[name] = value;
	}
	forwarded[HANDED_OVER_HEADER] = PROCESS_ID;
	forwarded[HANDED_TO_HEADER] = owner;
	const missed = unanswered.get(conversationKey);
	if (missed) forwarded[MAY_HAVE_MISSED_HEADER] = missed.map(encodeURIComponent).join(',') || '1';
	const raw = (request as unknown as { rawBody?: unknown }).rawBody;
	const options: IHttpRequestOptions = {
		method: request.method as IHttpRequestOptions['method'],
		url: `${owner}${request.originalUrl ?? request.url}`,
		headers: forwarded,
		body: Buffer.isBuffer(raw) ? raw : JSON.stringify(context.getBodyData()),
		json: false,
		encoding: 'text',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: HAND_OVER_TIMEOUT_MS,
	};
	try {
		const answer = (await context.helpers.httpRequest(options)) as { statusCode: number; headers: IDataObject; body: unknown };
		const retryAfter = headerValue(answer.headers ?? {}, 'retry-after');
		if (retryAfter) response.set('Retry-After', retryAfter);
		response.status(answer.statusCode).set('Content-Type', headerValue(answer.headers ?? {}, 'content-type') ?? 'application/json');
		response.send(typeof answer.body === 'string' || Buffer.isBuffer(answer.body) ? answer.body : JSON.stringify(answer.body ?? ''));
		// The owner heard of it (and of the flag): from here on it knows what it has to catch up.
		unanswered.delete(conversationKey);
	} catch {
		// The owner is down, restarting or too busy to answer: the platform retries, and if it gives
		// up, the owner must still learn that this conversation may have missed a delivery.
		const keys = [...(missed ?? []).filter((known) => known !== key), ...(key ? [key] : [])].slice(-MAX_UNANSWERED_KEYS);
		unanswered.delete(conversationKey);
		unanswered.set(conversationKey, keys);
		if (unanswered.size > MAX_UNANSWERED) unanswered.delete(unanswered.keys().next().value as string);
		response.status(503).set('Retry-After', '30').json({ error: 'The webhook process of this conversation is not reachable; retry later' });
	}
	return { noWebhookResponse: true };
}

/**
 * A delivery handed over by a process whose earlier hand-overs of this conversation got no answer:
 * the keys of those deliveries (possibly none known); undefined otherwise.
 */
export function handedOverAfterUnanswered(context: IWebhookFunctions): string[] | undefined {
	const headers = context.getHeaderData() as IDataObject;
	const value = headerValue(headers, MAY_HAVE_MISSED_HEADER);
	if (headerValue(headers, HANDED_OVER_HEADER) === undefined || value === undefined) return undefined;
	if (value === '1') return [];
	return value.split(',').flatMap((part) => {
		try {
			return part === '' ? [] : [decodeURIComponent(part)];
		} catch {
			return [];
		}
	});
}
