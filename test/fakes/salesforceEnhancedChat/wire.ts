import * as http from 'http';
import * as crypto from 'crypto';

// Pure wire helpers of the Enhanced Chat simulator: ids, JWTs, multipart bodies.

/** The sheet: a client-made lowercase UUID v4 (else 400, VG). */
export function isLowerUuidV4(value: unknown): value is string {
	return typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(value);
}

function base64url(value: string | Buffer): string {
	return Buffer.from(value).toString('base64url');
}

/** A signed JWT (HS256 with the simulator's secret). */
export function signJwt(payload: Record<string, unknown>, secret: Buffer): string {
	const head = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}`;
	return `${head}.${crypto.createHmac('sha256', secret).update(head).digest('base64url')}`;
}

/** The payload of a well-formed JWT (three base64url parts, a JSON object in the middle), else undefined. */
export function jwtPayload(token: unknown): Record<string, unknown> | undefined {
	if (typeof token !== 'string') return undefined;
	const parts = token.split('.');
	if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) return undefined;
	try {
		const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
		return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload : undefined;
	} catch {
		return undefined;
	}
}

/** A UUID-shaped id derived from `text`: the same verified user gets the same subject. */
export function stableUuid(text: string): string {
	const h = crypto.createHash('sha256').update(text).digest('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}



/** The request body; past `limit` bytes the rest is read and dropped, and `tooLarge` is set. */
export function readLimited(req: http.IncomingMessage, limit: number): Promise<{ raw: Buffer; tooLarge: boolean }> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size <= limit) chunks.push(chunk);
		});
		req.on('end', () => resolve({ raw: Buffer.concat(chunks), tooLarge: size > limit }));
		req.on('error', reject);
	});
}
