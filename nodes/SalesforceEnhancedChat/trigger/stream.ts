import type { IDataObject, IHttpRequestOptions, IN8nHttpFullResponse, ITriggerFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { describeErrorBody } from '../../shared';
import type { EnhancedChatConfig } from '../transport';
import { ENHANCED_CHAT_CREDENTIAL, PLATFORM } from '../transport';

export interface StreamEvent {
	/** The event's id, '' when it has none (then the last id stays). */
	id: string;
	event: string;
	data: string;
}

/** Server-sent events from text chunks, as the EventSource spec reads them. */
export class EventStreamParser {
	private buffer = '';

	private id = '';

	private event = '';

	private data: string[] = [];

	push(chunk: string): StreamEvent[] {
		this.buffer += chunk;
		const events: StreamEvent[] = [];
		for (;;) {
			const match = /\r\n|\n|\r/.exec(this.buffer);
			// A lone \r at the end may be the first half of \r\n: wait for the next chunk.
			if (!match || (match[0] === '\r' && match.index === this.buffer.length - 1)) break;
			const line = this.buffer.slice(0, match.index);
			this.buffer = this.buffer.slice(match.index + match[0].length);
			if (line === '') {
				if (this.data.length > 0 || this.event) {
					events.push({ id: this.id, event: this.event || 'message', data: this.data.join('\n') });
				}
				this.event = '';
				this.data = [];
				this.id = '';
				continue;
			}
			if (line.startsWith(':')) continue;
			const colon = line.indexOf(':');
			const field = colon === -1 ? line : line.slice(0, colon);
			const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
			if (field === 'data') this.data.push(value);
			else if (field === 'event') this.event = value;
			else if (field === 'id' && !value.includes('\0')) this.id = value;
		}
		return events;
	}
}

/** The response body n8n hands back for `encoding: 'stream'` (a Node readable stream). */
interface Readable extends AsyncIterable<unknown> {
	destroy(): void;
	setEncoding(encoding: 'utf8'): unknown;
}

export interface OpenStream {
	events: AsyncGenerator<StreamEvent>;
	close(): void;
}

async function readAll(body: Readable): Promise<string> {
	let text = '';
	for await (const chunk of body) text += String(chunk);
	return text;
}

/**
 * GET /eventrouter/v1/sse for one access token. Salesforce does not say when a stream is dead:
 * it sends `ping` events, and a stream silent for longer than `silentMs` is closed here (the
 * caller reconnects with the last event id).
 */
export async function openEventStream(
	context: ITriggerFunctions,
	config: EnhancedChatConfig,
	accessToken: string,
	lastEventId: string,
	silentMs: number,
): Promise<OpenStream> {
	// Ends the connection on close(): the body n8n hands back wraps the response, and destroying the
	// wrapper alone lets the socket live on until the server's next chunk (a ping, seconds later).
	const abort = new AbortController();
	const options: IHttpRequestOptions = {
		method: 'GET',
		url: `${config.baseUrl}/eventrouter/v1/sse`,
		headers: {
			Accept: 'text/event-stream',
			Authorization: `Bearer ${accessToken}`,
			'X-Org-Id': config.organizationId,
			...(lastEventId ? { 'Last-Event-Id': lastEventId } : {}),
		},
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		json: false,
		abortSignal: abort.signal,
	};
	const response = (await context.helpers.httpRequestWithAuthentication.call(
		context,
		ENHANCED_CHAT_CREDENTIAL,
		options,
	)) as IN8nHttpFullResponse;
	const body = response.body as unknown as Readable;
	if (response.statusCode < 200 || response.statusCode > 299) {
		const text = await readAll(body).catch(() => '');
		let said: unknown = text;
		try {
			said = JSON.parse(text);
		} catch {
			// not JSON: the text itself
		}
		throw new NodeApiError(context.getNode(), { message: describeErrorBody(said) } as JsonObject, {
			message: `${PLATFORM} refused the event stream (${response.statusCode}): ${describeErrorBody(said) || 'no reason given'}`,
			httpCode: String(response.statusCode),
		});
	}

	let lastData = Date.now();
	let closed = false;
	const close = () => {
		closed = true;
		body.destroy();
		abort.abort();
	};
	// One watchdog per stream, not a timer per chunk.
	void (async () => {
		while (!closed) {
			await sleep(Math.min(5_000, silentMs));
			if (!closed && Date.now() - lastData > silentMs) close();
		}
	})();

	async function* events(): AsyncGenerator<StreamEvent> {
		const parser = new EventStreamParser();
		// Decoded as a whole stream, so a character split between two chunks stays whole.
		body.setEncoding('utf8');
		try {
			for await (const chunk of body) {
				lastData = Date.now();
				for (const event of parser.push(String(chunk))) yield event;
			}
		} catch (error) {
			// Closed here (silent, or deactivated) or dropped by the server: the caller reconnects.
			if (!closed && !isDropped(error)) {
				throw new NodeApiError(context.getNode(), error as JsonObject, { message: `${PLATFORM}: the event stream failed: ${(error as Error).message}` });
			}
		} finally {
			closed = true;
		}
	}
	return { events: events(), close };
}

function isDropped(error: unknown): boolean {
	const code = (error as IDataObject | undefined)?.code;
	return typeof code === 'string' && ['ECONNRESET', 'ERR_STREAM_PREMATURE_CLOSE', 'ECONNABORTED', 'EPIPE'].includes(code);
}
