/**
 * A stand-in for "your own chat app" of template 6: its backend's endpoint that n8n posts agent
 * messages to (`POST /handoff/agent-message`, checked against the n8n → own app secret), and an inbox
 * to look at what arrived (`GET /inbox`, every message; `GET /inbox/<userId>`, one user's).
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

export const OWN_APP_PATH = '/handoff/agent-message';

export interface AppMessage {
	at: string;
	userId: string;
	text: string | null;
	url: string | null;
	messageId: string | null;
}

export class OwnApp {
	/** Agent messages the app accepted, oldest first. */
	readonly inbox: AppMessage[] = [];
	/** Requests refused for a missing or wrong secret. */
	refused = 0;
	private server?: http.Server;

	constructor(private readonly secret: { name: string; value: string }) {}

	async start(port = 0, host = '127.0.0.1'): Promise<this> {
		const server = http.createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, host, () => resolve());
		});
		this.server = server;
		return this;
	}

	get baseUrl(): string {
		const { port } = this.server!.address() as AddressInfo;
		return `http://127.0.0.1:${port}`;
	}

	/** The URL template 6 posts to. */
	get agentMessageUrl(): string {
		return `${this.baseUrl}${OWN_APP_PATH}`;
	}

	async stop(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		if (!server) return;
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const send = (status: number, body: unknown) => {
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		const url = new URL(req.url ?? '/', 'http://app');
		if (req.method === 'POST' && url.pathname === OWN_APP_PATH) {
			if (req.headers[this.secret.name.toLowerCase()] !== this.secret.value) {
				this.refused++;
				return send(401, { error: 'wrong secret' });
			}
			let body: any;
			try {
				body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
			} catch {
				return send(400, { error: 'not JSON' });
			}
			if (typeof body?.userId !== 'string' || !body.userId) return send(400, { error: 'userId missing' });
			const text = typeof body.text === 'string' ? body.text : null;
			const link = typeof body.url === 'string' ? body.url : null;
			const messageId = typeof body.messageId === 'string' && body.messageId ? body.messageId : null;
			// As a real app should: n8n sends a POST again when it missed the answer; the copy is taken, not kept twice.
			if (messageId && this.inbox.some((m) => m.messageId === messageId)) return send(200, { ok: true, duplicate: true });
			this.inbox.push({ at: new Date().toISOString(), userId: body.userId, text, url: link, messageId });
			return send(200, { ok: true });
		}
		const inbox = /^\/inbox(?:\/([^/]+))?\/?$/.exec(url.pathname);
		if (req.method === 'GET' && inbox) {
			const userId = inbox[1] && decodeURIComponent(inbox[1]);
			return send(200, userId ? this.inbox.filter((m) => m.userId === userId) : this.inbox);
		}
		if (req.method === 'GET' && url.pathname === '/') {
			return send(200, {
				routes: [
					`POST ${OWN_APP_PATH}   what n8n (template 6) posts: {userId, text, url, messageId}, header ${this.secret.name}`,
					'GET  /inbox                   every agent message the app received',
					'GET  /inbox/:userId           one user\'s',
				],
			});
		}
		return send(404, { error: 'no such route' });
	}
}
