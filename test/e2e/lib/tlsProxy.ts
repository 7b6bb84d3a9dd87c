/**
 * A TLS-intercepting forward proxy for tests: n8n's own Slack (and Teams) nodes hard-code
 * https://slack.com/api and https://graph.microsoft.com, so an n8n started with `env` below sends
 * them through this proxy, which answers CONNECT to those hosts itself and hands the tunnel to an
 * in-process HTTPS server with a throw-away certificate (recipe A of
 * /work/shared/reference/slack-teams-in-n8n.md). Requests are routed by Host to the handlers given
 * (e.g. SlackSimulator.handler). Nothing leaves the machine: CONNECT to any other host is 403.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import type * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type * as tls from 'tls';

/** The names the server certificate is valid for (the SAN list). */
export const CERT_HOSTS = ['slack.com', '*.slack.com', 'files.slack.com', 'graph.microsoft.com', 'login.microsoftonline.com'];

export interface TlsProxyOptions {
	/** Host (e.g. `slack.com`, `files.slack.com`) → request handler. Each must be covered by CERT_HOSTS. */
	handlers: Record<string, http.RequestListener>;
}

export interface ProxyLogEntry {
	at: number;
	/** `connect` (an HTTPS tunnel), `https` (a request inside one), `http` (a plain proxy request). */
	kind: 'connect' | 'https' | 'http';
	/** host:port for connect; the URL otherwise. */
	target: string;
	method?: string;
	/** 200 for an accepted tunnel, 403 for a refused one; the answer's status for requests. */
	status?: number;
}

export interface TlsProxy {
	/** http://127.0.0.1:<port> */
	url: string;
	/** For N8nInstance.start({env}): the proxy variables in both cases (proxy-from-env reads lower case first) and the CA. */
	env: Record<string, string>;
	caPath: string;
	caPem: string;
	log: ProxyLogEntry[];
	/** Adds or replaces the handler of a host. */
	setHandler(host: string, handler: http.RequestListener): void;
	stop(): Promise<void>;
}

/** Whether `host` is one of CERT_HOSTS (a `*.` entry covers exactly one more label). */
export function certCovers(host: string): boolean {
	return CERT_HOSTS.some((name) =>
		name.startsWith('*.') ? host.endsWith(name.slice(1)) && !host.slice(0, -name.length + 1).includes('.') : host === name,
	);
}

/** A test CA and a server certificate signed by it, made with the openssl CLI in a temp folder. */
export function makeCertificates(dir: string): { caPath: string; keyPath: string; certPath: string } {
	const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
	openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=handoff-test-ca',
		'-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
	openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=slack.com');
	const san = CERT_HOSTS.map((h) => `DNS:${h}`).join(',');
	fs.writeFileSync(path.join(dir, 'ext.cnf'), `basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);
	openssl('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '2', '-extfile', 'ext.cnf');
	return { caPath: path.join(dir, 'ca.pem'), keyPath: path.join(dir, 'srv.key'), certPath: path.join(dir, 'srv.pem') };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export async function startTlsProxy(options: TlsProxyOptions): Promise<TlsProxy> {
	const handlers = new Map<string, http.RequestListener>();
	const setHandler = (host: string, handler: http.RequestListener) => {
		if (!certCovers(host)) throw new Error(`tlsProxy: the test certificate does not cover ${host} (${CERT_HOSTS.join(', ')})`);
		handlers.set(host, handler);
	};
	for (const [host, handler] of Object.entries(options.handlers)) setHandler(host, handler);

	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-tls-'));
	const { caPath, keyPath, certPath } = makeCertificates(dir);
	const log: ProxyLogEntry[] = [];
	const sockets = new Set<net.Socket>();

	const tlsServer = https.createServer({ key: fs.readFileSync(keyPath), cert: fs.readFileSync(certPath) }, (req, res) => {
		// Host decides; SNI is the fallback for a request without one.
		const host = String(req.headers.host ?? (req.socket as tls.TLSSocket).servername ?? '').replace(/:\d+$/, '').toLowerCase();
		const entry: ProxyLogEntry = { at: Date.now(), kind: 'https', target: `https://${host}${req.url}`, method: req.method };
		log.push(entry);
		res.on('finish', () => (entry.status = res.statusCode));
		const handler = handlers.get(host);
		if (!handler) {
			res.writeHead(502, { 'Content-Type': 'text/plain' });
			res.end(`tlsProxy: no handler for ${host}`);
			return;
		}
		try {
			handler(req, res);
		} catch (err) {
			if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
			res.end(`tlsProxy: handler for ${host} failed: ${String((err as Error)?.message ?? err)}`);
		}
	});
	tlsServer.on('tlsClientError', () => undefined); // a client that rejects the CA just goes away

	const proxy = http.createServer((req, res) => {
		// A plain-HTTP proxy request (absolute URL): only loopback is forwarded; n8n runs with NO_PROXY for it anyway.
		let target: URL;
		try {
			target = new URL(req.url ?? '');
		} catch {
			res.writeHead(400, { 'Content-Type': 'text/plain' });
			res.end('tlsProxy: expected an absolute URL');
			return;
		}
		const entry: ProxyLogEntry = { at: Date.now(), kind: 'http', target: target.href, method: req.method };
		log.push(entry);
		if (target.protocol !== 'http:' || !LOOPBACK.has(target.hostname)) {
			entry.status = 403;
			res.writeHead(403, { 'Content-Type': 'text/plain' });
			res.end(`tlsProxy: plain HTTP to ${target.host} is not allowed (only loopback is forwarded)`);
			return;
		}
		const upstream = http.request(
			{ host: target.hostname.replace(/^\[|\]$/g, ''), port: target.port || 80, method: req.method, path: `${target.pathname}${target.search}`, headers: req.headers, agent: false },
			(answer) => {
				entry.status = answer.statusCode;
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.on('error', (error) => {
			entry.status = 502;
			if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
			res.end(`tlsProxy: ${error.message}`);
		});
		req.pipe(upstream);
	});

	proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => undefined);
		const target = String(req.url ?? '');
		const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
		const host = m?.[1].toLowerCase() ?? '';
		const allowed = m?.[2] === '443' && handlers.has(host);
		log.push({ at: Date.now(), kind: 'connect', target, status: allowed ? 200 : 403 });
		if (!allowed) {
			const text = `tlsProxy: CONNECT to ${target} refused (handled: ${[...handlers.keys()].map((h) => `${h}:443`).join(', ')})`;
			socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
			return;
		}
		socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
		if (head.length) socket.unshift(head);
		tlsServer.emit('connection', socket);
	});

	await new Promise<void>((resolve, reject) => {
		proxy.once('error', reject);
		proxy.listen(0, '127.0.0.1', () => resolve());
	});
	const url = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
	const noProxy = '127.0.0.1,localhost,::1';
	return {
		url,
		caPath,
		caPem: fs.readFileSync(caPath, 'utf8'),
		log,
		setHandler,
		env: {
			HTTPS_PROXY: url,
			HTTP_PROXY: url,
			https_proxy: url,
			http_proxy: url,
			NO_PROXY: noProxy,
			no_proxy: noProxy,
			NODE_EXTRA_CA_CERTS: caPath,
		},
		async stop() {
			for (const socket of sockets) socket.destroy();
			proxy.closeAllConnections();
			await new Promise<void>((resolve) => proxy.close(() => resolve()));
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}
