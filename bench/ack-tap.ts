/**
 * A pass-through HTTP proxy between the Landbot simulator's hook deliveries and a relay, which
 * times each delivery from its arrival to the relay's answer (the "ack"). The simulator records
 * when a delivery attempt starts (getDeliveries().at) but not when it was answered. Every way is
 * measured through a tap of its own, so the extra hop (~0.3 ms, none of it in the relay's CPU) is
 * the same for all.
 */
import * as http from 'http';
import type * as net from 'net';

export interface Ack {
	path: string;
	startedAt: number;
	ms: number;
	status: number;
}

export class AckTap {
	/** Origin the deliveries are forwarded to; may be set after the tap started. */
	target = '';
	private readonly acks: Ack[] = [];
	private server?: http.Server;

	get url(): string {
		return `http://127.0.0.1:${(this.server!.address() as net.AddressInfo).port}`;
	}

	async start(): Promise<this> {
		this.server = http.createServer((req, res) => this.forward(req, res));
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		return this;
	}

	/** Acks of hook deliveries (they carry sentry-trace; probes do not) to `path` since `since`. */
	acksFor(path: string, since: number): Ack[] {
		return this.acks.filter((a) => a.path === path && a.startedAt >= since);
	}

	async stop(): Promise<void> {
		if (!this.server) return;
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server!.close(() => resolve()));
		this.server = undefined;
	}

	private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
		const startedAt = Date.now();
		const timed = req.headers['sentry-trace'] !== undefined;
		const target = new URL(req.url ?? '/', this.target);
		const upstream = http.request(
			target,
			{ method: req.method, headers: { ...req.headers, host: target.host }, agent: false },
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
				answer.on('end', () => {
					if (timed) this.record(req.url ?? '/', startedAt, answer.statusCode ?? 0);
				});
			},
		);
		upstream.on('error', (error) => {
			if (timed) this.record(req.url ?? '/', startedAt, 0);
			if (!res.headersSent) res.writeHead(502);
			res.end(`tap: ${error.message}`);
		});
		req.pipe(upstream);
	}

	private record(path: string, startedAt: number, status: number): void {
		this.acks.push({ path, startedAt, ms: Date.now() - startedAt, status });
	}
}
