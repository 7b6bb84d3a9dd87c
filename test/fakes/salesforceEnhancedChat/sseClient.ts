/** A small server-sent-event client over Node's http, for tests of the simulator and of relays. */
import * as http from 'http';

export interface SseMessage {
	id?: string;
	event: string;
	data: string;
}

export class SseClient {
	readonly events: SseMessage[] = [];
	/** 'end': the server ended the stream cleanly; 'error': the connection broke. */
	closed: 'end' | 'error' | null = null;
	private buffer = '';
	private req: http.ClientRequest | undefined;

	private constructor(readonly status: number) {}

	/** Opens the stream; resolves once the response headers are in (any status). */
	static open(url: string, headers: Record<string, string>): Promise<SseClient> {
		return new Promise((resolve, reject) => {
			const req = http.get(url, { headers, agent: false }, (res) => {
				const client = new SseClient(res.statusCode ?? 0);
				client.req = req;
				res.setEncoding('utf8');
				res.on('data', (chunk: string) => client.feed(chunk));
				res.on('end', () => (client.closed ??= 'end'));
				res.on('error', () => (client.closed = 'error'));
				res.on('aborted', () => (client.closed = 'error'));
				resolve(client);
			});
			req.on('error', (err) => reject(err));
		});
	}

	private feed(chunk: string): void {
		this.buffer += chunk;
		let cut: number;
		while ((cut = this.buffer.indexOf('\n\n')) >= 0) {
			const block = this.buffer.slice(0, cut);
			this.buffer = this.buffer.slice(cut + 2);
			const message: SseMessage = { event: 'message', data: '' };
			const data: string[] = [];
			for (const line of block.split('\n')) {
				const colon = line.indexOf(':');
				if (colon === 0) continue;
				const field = colon < 0 ? line : line.slice(0, colon);
				const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
				if (field === 'id') message.id = value;
				else if (field === 'event') message.event = value;
				else if (field === 'data') data.push(value);
			}
			message.data = data.join('\n');
			this.events.push(message);
		}
	}

	/** Events other than pings, with data parsed. */
	entries(): Array<{ id?: string; event: string; data: any; payload: any }> {
		return this.events
			.filter((e) => e.event !== 'ping')
			.map((e) => {
				const data = JSON.parse(e.data);
				return { id: e.id, event: e.event, data, payload: JSON.parse(data.conversationEntry.entryPayload) };
			});
	}

	async waitFor(condition: (client: SseClient) => boolean, timeoutMs = 3000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (!condition(this)) {
			if (Date.now() > deadline) throw new Error(`SSE: condition not met within ${timeoutMs} ms; events: ${JSON.stringify(this.events)}`);
			await new Promise((r) => setTimeout(r, 5));
		}
	}

	close(): void {
		this.req?.destroy();
	}
}
