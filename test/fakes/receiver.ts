/**
 * A webhook target for tests: records every request it receives and answers with a status chosen
 * per request (default 200). Used to watch what the simulators deliver.
 */
import * as http from 'http';
import { close, listen, parseJsonBody, readBody } from './http';

export interface ReceivedRequest {
	/** Arrival time, ms since epoch. */
	at: number;
	method: string;
	path: string;
	headers: http.IncomingHttpHeaders;
	rawBody: string;
	body: any;
	/** Status code the receiver answered with. */
	status: number;
}

/** Chooses the answer for the n-th request (0-based) — a status code. */
export type Responder = (request: Omit<ReceivedRequest, 'status'>, index: number) => number;

export class WebhookReceiver {
	readonly requests: ReceivedRequest[] = [];
	responder: Responder = () => 200;
	private server: http.Server | undefined;
	private port = 0;

	async start(port = 0, host = '127.0.0.1'): Promise<this> {
		this.server = http.createServer((req, res) => {
			void this.handle(req, res);
		});
		this.port = await listen(this.server, port, host);
		return this;
	}

	url(path = '/hook'): string {
		return `http://127.0.0.1:${this.port}${path}`;
	}

	/** Resolves once `count` requests have arrived (optionally only those matching `filter`). */
	async waitFor(
		count: number,
		timeoutMs = 5000,
		filter: (r: ReceivedRequest) => boolean = () => true,
	): Promise<ReceivedRequest[]> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const matched = this.requests.filter(filter);
			if (matched.length >= count) return matched;
			if (Date.now() > deadline) {
				throw new Error(`WebhookReceiver: got ${matched.length} of ${count} requests within ${timeoutMs} ms`);
			}
			await new Promise((r) => setTimeout(r, 5));
		}
	}

	async stop(): Promise<void> {
		if (this.server) await close(this.server);
		this.server = undefined;
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const rawBody = await readBody(req);
		let body: unknown = rawBody;
		try {
			body = parseJsonBody(rawBody);
		} catch {
			body = rawBody;
		}
		const partial = {
			at: Date.now(),
			method: req.method ?? 'GET',
			path: req.url ?? '/',
			headers: req.headers,
			rawBody,
			body,
		};
		const status = this.responder(partial, this.requests.length);
		this.requests.push({ ...partial, status });
		res.writeHead(status, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify({ ok: status < 300 }));
	}
}
