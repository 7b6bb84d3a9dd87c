/**
 * The floor: a bare Node.js relay, no engine. Takes Landbot MessageHook deliveries, checks the hook
 * token, posts each customer message of a conversation in a handoff to Tiledesk's send-message API
 * (the body the Tiledesk node sends), and answers once relayed (as our trigger does), 500 on failure
 * so Landbot retries.
 *
 * A child process of its own, so its CPU and memory are measured like n8n's (bench/floor.ts starts
 * it). Run by Node 24's type stripping, hence .mts and only erasable TypeScript. Prints
 * `{"port":N}` once listening; exits when its parent closes stdin, or after FLOOR_MAX_MS.
 */
import * as http from 'node:http';

const token = process.env.FLOOR_HOOK_TOKEN ?? '';
/** `{baseUrl}/{projectId}` of the Tiledesk project. */
const projectUrl = process.env.FLOOR_TILEDESK_PROJECT_URL ?? '';
const authorization = process.env.FLOOR_TILEDESK_AUTHORIZATION ?? '';
const handoffField = 'handoff_conversation';
// Keep-alive to the helpdesk: what a hand-written service would do.
const agent = new http.Agent({ keepAlive: true });

interface HookMessage {
	type?: string;
	data?: { body?: unknown };
	sender?: { type?: string };
	customer?: Record<string, unknown>;
	_raw?: { message?: unknown };
}

function readBody(req: http.IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

function postJson(url: string, body: unknown): Promise<number> {
	const payload = JSON.stringify(body);
	return new Promise((resolve, reject) => {
		const req = http.request(
			url,
			{
				method: 'POST',
				agent,
				headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization },
			},
			(res) => {
				res.resume();
				res.on('end', () => resolve(res.statusCode ?? 0));
			},
		);
		req.setTimeout(30_000, () => req.destroy(new Error('Tiledesk timeout')));
		req.on('error', reject);
		req.end(payload);
	});
}

/** The message as the Tiledesk node sends it (template 2's expressions, evaluated by hand). */
function tiledeskBody(m: HookMessage): Record<string, unknown> {
	const customer = m.customer ?? {};
	const text = String(m.data?.body ?? m._raw?.message ?? '');
	return {
		type: 'text',
		text,
		attributes: { n8nHandoff: true, n8nHandoffOrigin: 'n8n-nodes-handoff' },
		sender: `landbot-${String(customer.id)}`,
		senderFullname: String(customer.name ?? ''),
	};
}

async function relay(messages: HookMessage[]): Promise<boolean> {
	for (const m of messages) {
		const conversation = m.customer?.[handoffField];
		if (m.sender?.type !== 'customer' || conversation === undefined || conversation === null || conversation === '') continue;
		const url = `${projectUrl}/requests/${encodeURIComponent(String(conversation))}/messages`;
		const status = await postJson(url, tiledeskBody(m));
		if (status < 200 || status >= 300) return false;
	}
	return true;
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
	const body = await readBody(req);
	if (req.headers.authorization !== `Token ${token}`) return void res.writeHead(401).end();
	let messages: HookMessage[];
	try {
		messages = (JSON.parse(body) as { messages?: HookMessage[] }).messages ?? [];
	} catch {
		return void res.writeHead(400).end();
	}
	const ok = await relay(messages).catch(() => false);
	res.writeHead(ok ? 200 : 500, { 'content-type': 'application/json' }).end(JSON.stringify({ received: ok }));
}

const server = http.createServer((req, res) => {
	handle(req, res).catch(() => res.writeHead(500).end());
});
server.listen(0, '127.0.0.1', () => {
	const address = server.address();
	process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});

// Bounded: ends with its parent, or by itself.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), Number(process.env.FLOOR_MAX_MS ?? 3_600_000)).unref();
