/**
 * Hostile-input generator for the relaying triggers: seeded, so one seed replays the same sequence
 * of mutations on the same templates (the platforms' real deliveries, captured from the simulators
 * at the start of a run).
 *
 * Each case is a body (bytes), its headers (auth left to the harness), the template it came from,
 * and what its body is by the triggers' contract:
 *  - `valid`: an untouched fresh delivery (new ids): it must be answered 200 and start one execution;
 *  - `reject`: a body the trigger cannot read (not JSON, or a required field missing or of the
 *    wrong type): it must not start an execution (and should be a 400);
 *  - `any`: readable but odd (an optional field of the wrong type, an unknown event…) or decided
 *    by n8n's body parsing (content types): either way, but never a 5xx.
 * The contract (`readable` of each spec) is computed on the body as JSON.parse reads the bytes,
 * not from the mutation that made it, so it stays right whatever the mutations combine into.
 */

import * as zlib from 'zlib';

// ---------------------------------------------------------------- seeded randomness

/** xorshift128+-like generator on 32-bit halves (sfc32): fast, good enough, reproducible. */
export class Rng {
	private a: number;
	private b: number;
	private c: number;
	private d: number;

	constructor(seed: number) {
		this.a = 0x9e3779b9;
		this.b = 0x243f6a88;
		this.c = 0xb7e15162;
		this.d = seed >>> 0;
		for (let i = 0; i < 16; i++) this.next();
	}

	/** A float in [0, 1). */
	next(): number {
		this.a >>>= 0;
		this.b >>>= 0;
		this.c >>>= 0;
		this.d >>>= 0;
		let t = (this.a + this.b) | 0;
		this.a = this.b ^ (this.b >>> 9);
		this.b = (this.c + (this.c << 3)) | 0;
		this.c = (this.c << 21) | (this.c >>> 11);
		this.d = (this.d + 1) | 0;
		t = (t + this.d) | 0;
		this.c = (this.c + t) | 0;
		return (t >>> 0) / 4294967296;
	}

	int(n: number): number {
		return Math.floor(this.next() * n);
	}

	chance(p: number): boolean {
		return this.next() < p;
	}

	pick<T>(items: readonly T[]): T {
		return items[this.int(items.length)];
	}

	/** One of the keys, by weight. */
	weighted<K extends string>(weights: Record<K, number>): K {
		const entries = Object.entries(weights) as Array<[K, number]>;
		let roll = this.next() * entries.reduce((sum, [, w]) => sum + w, 0);
		for (const [key, weight] of entries) {
			roll -= weight;
			if (roll < 0) return key;
		}
		return entries[entries.length - 1][0];
	}

	hex(length: number): string {
		let out = '';
		for (let i = 0; i < length; i++) out += '0123456789abcdef'[this.int(16)];
		return out;
	}
}

/** FNV-1a of a text: a 32-bit seed for each trigger's own stream. */
export function hashSeed(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}

// ---------------------------------------------------------------- JSON with what JSON.stringify cannot write

/** JSON text inserted as it is: -0, 1e309, 5,000-deep nesting, numbers beyond doubles. */
export class Raw {
	constructor(readonly text: string) {}
}

/** An object written with these entries in this order, duplicate keys included. */
export class Entries {
	constructor(readonly entries: Array<[string, unknown]>) {}
}

/** JSON text of a value that may hold Raw and Entries; undefined members are left out. */
export function serialize(value: unknown): string {
	if (value instanceof Raw) return value.text;
	if (value instanceof Entries) {
		return `{${value.entries.filter(([, v]) => v !== undefined).map(([k, v]) => `${JSON.stringify(k)}:${serialize(v)}`).join(',')}}`;
	}
	if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : serialize(v))).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		return serialize(new Entries(Object.keys(value).map((k) => [k, (value as Record<string, unknown>)[k]])));
	}
	if (value === undefined) return 'null';
	return JSON.stringify(value);
}

/** A plain copy (templates are JSON; copies made with JSON.parse keep `__proto__` keys as own keys). */
export function clone<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

/** An object with an own `__proto__` (or other) key, as JSON.parse makes it (an object literal would set the prototype). */
function withOwnKey(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
	Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
	return target;
}

// ---------------------------------------------------------------- hostile values

export const MB = 1024 * 1024;
export const DEEP = 5000;

const PROTO_WORDS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

const WEIRD_STRINGS = [
	'',
	' ',
	'   \t\n',
	'\u0000',
	'\ud800',
	'\udfff',
	'a\ud83dz',
	'\udc00\ud800',
	'\u202eevil',
	'\ufeff',
	'💬🧑‍💻🏳️‍🌈',
	'null',
	'undefined',
	'true',
	'NaN',
	'-0',
	'1e308',
	'-1e308',
	'Infinity',
	'0x10',
	// (not "[object Object]": an event showing that names an object the trigger turned into text)
	'[object]',
	'%s%s%s%n',
	'${7*7}',
	'{{ $json.secret }}',
	'<script>alert(1)</script>',
	"'; DROP TABLE execution_entity; --",
	'../../../../etc/passwd',
	'support-group-',
	'support-group-x-',
	'conv_',
	'bot_',
	'n8n-handoff:',
	'system',
	'9'.repeat(400),
	'a'.repeat(10_000),
	...PROTO_WORDS,
];

const WEIRD_NUMBERS: unknown[] = [
	0,
	-1,
	0.5,
	2 ** 53 + 2,
	-(2 ** 31),
	new Raw('-0'),
	new Raw('1e308'),
	new Raw('-1e308'),
	new Raw('1.7976931348623157e308'),
	new Raw('1e309'),
	new Raw('-1e309'),
	new Raw('5e-324'),
	new Raw('1e-400'),
	new Raw('123456789012345678901234567890'),
	new Raw('1E2'),
	new Raw('8.64e15'),
	new Raw('8.64e12'),
	new Raw('-8.64e12'),
	new Raw('1e11'),
];

export function hugeString(rng: Rng, bytes = MB): string {
	const unit = rng.pick(['x', 'é', '💬', 'ab\\"c', '\ud800x', '\n', '<>']);
	return unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit)));
}

export function deepNest(rng: Rng, depth = DEEP): Raw {
	const kind = rng.int(3);
	if (kind === 0) return new Raw('['.repeat(depth) + ']'.repeat(depth));
	if (kind === 1) return new Raw('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
	return new Raw('[{"x":'.repeat(depth / 2) + 'null' + '}]'.repeat(depth / 2));
}

export function hugeArray(rng: Rng): Raw {
	const n = rng.pick([100_000, 200_000, 300_000]);
	const element = rng.pick(['0', 'null', '{}', '""', '[]', '"x"']);
	return new Raw(`[${Array(n).fill(element).join(',')}]`);
}

function manyKeys(rng: Rng): Raw {
	const n = rng.pick([20_000, 50_000]);
	const parts: string[] = [];
	for (let i = 0; i < n; i++) parts.push(`"k${i}":${i}`);
	return new Raw(`{${parts.join(',')}}`);
}

function randomKey(rng: Rng): string {
	switch (rng.int(8)) {
		case 0:
			return rng.pick(PROTO_WORDS);
		case 1:
			return '';
		case 2:
			return rng.pick(['messages', 'payload', 'hook', 'event', 'action', 'type', 'id', 'customer', 'sender', 'chat_id', 'secret_key']);
		case 3:
			return rng.pick(['\ud800', 'ключ', '🔑', 'a.b', 'a[0]', '$where', '\u0000k']);
		default:
			return `k${rng.hex(rng.int(6) + 1)}`;
	}
}

/** A random JSON value of a random shape. */
export function randomValue(rng: Rng, depth = 0): unknown {
	const leaf = depth >= 5 || rng.chance(0.35 + depth * 0.1);
	if (leaf) {
		switch (rng.int(6)) {
			case 0:
				return rng.pick(WEIRD_STRINGS);
			case 1:
				return rng.pick(WEIRD_NUMBERS);
			case 2:
				return rng.chance(0.5);
			case 3:
				return null;
			case 4:
				return rng.hex(rng.int(12));
			default:
				return rng.int(1_000_000) - 500_000;
		}
	}
	if (rng.chance(0.4)) return Array.from({ length: rng.int(6) }, () => randomValue(rng, depth + 1));
	const target: Record<string, unknown> = {};
	const size = rng.int(7);
	for (let i = 0; i < size; i++) withOwnKey(target, randomKey(rng), randomValue(rng, depth + 1));
	return target;
}

function typeName(value: unknown): string {
	if (value instanceof Raw) return 'number';
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	return typeof value;
}

/** A value of another JSON type than `value`'s. */
function otherType(rng: Rng, value: unknown): unknown {
	const current = typeName(value);
	const makers: Record<string, () => unknown> = {
		string: () => rng.pick(['x', '', 'customer', '42', rng.hex(8)]),
		number: () => rng.pick([0, 1, -1, 42, 3.14, ...WEIRD_NUMBERS]),
		boolean: () => rng.chance(0.5),
		null: () => null,
		array: () => rng.pick([[], [value], [1, 'a', null], [{}]]),
		// {"toString": 1}: String() of it throws (no callable toString), as template literals do
		object: () => rng.pick([{}, { id: 1 }, { value }, withOwnKey({}, '__proto__', { polluted: true }), withOwnKey({}, 'toString', 1), { valueOf: 'x', toString: null }]),
	};
	const choices = Object.keys(makers).filter((t) => t !== current);
	return makers[rng.pick(choices)]();
}

function weirdValue(rng: Rng, value: unknown): unknown {
	const current = typeName(value);
	if (current === 'string' || rng.chance(0.3)) return rng.pick(WEIRD_STRINGS);
	if (current === 'number' || rng.chance(0.5)) return rng.pick(WEIRD_NUMBERS);
	return rng.pick([...WEIRD_STRINGS, ...WEIRD_NUMBERS]);
}

// ---------------------------------------------------------------- paths

export type Path = Array<string | number>;

export function pathText(path: Path): string {
	return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(body)';
}

/** Every node of a JSON value but the root, outermost first (arrays: their first three elements). */
export function allPaths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
	if (Array.isArray(value)) {
		value.slice(0, 3).forEach((item, i) => {
			out.push([...prefix, i]);
			allPaths(item, [...prefix, i], out);
		});
	} else if (value !== null && typeof value === 'object') {
		for (const key of Object.keys(value)) {
			out.push([...prefix, key]);
			allPaths((value as Record<string, unknown>)[key], [...prefix, key], out);
		}
	}
	return out;
}

export function getAt(root: unknown, path: Path): unknown {
	let node = root as any;
	for (const step of path) {
		if (node === null || typeof node !== 'object') return undefined;
		node = Object.prototype.hasOwnProperty.call(node, step) ? node[step] : undefined;
	}
	return node;
}

/** Sets (or, with `remove`, deletes) the value at `path` inside `root` (a plain copy). */
function setAt(root: any, path: Path, value: unknown, remove = false): void {
	let node = root;
	for (const step of path.slice(0, -1)) node = node[step];
	const last = path[path.length - 1];
	if (remove) {
		if (Array.isArray(node)) node.splice(Number(last), 1);
		else delete node[last];
	} else if (typeof last === 'string' && !Array.isArray(node)) {
		withOwnKey(node, last, value);
	} else {
		node[last] = value;
	}
}


// ---------------------------------------------------------------- the contract

export const isObject = (value: unknown): value is Record<string, any> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
export const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';
/** Ids arrive as strings or numbers on every platform; an object, array or boolean is no id. */
export const isId = (value: unknown): boolean => nonEmptyString(value) || typeof value === 'number';
/**
 * An id as the newer triggers read it (nodes/shared idToString): a non-empty string or a finite
 * number; 1e309 parses to Infinity, which is none.
 */
export const readsAsId = (value: unknown): boolean => nonEmptyString(value) || (typeof value === 'number' && Number.isFinite(value));

/** A fresh numeric id: random high digits, the case's index low, so no two cases of one generator share one. */
const freshNumber = (rng: Rng, index: number): number => (1 + rng.int(2 ** 20)) * 1_000_000 + (index % 1_000_000);

// ---------------------------------------------------------------- the triggers

export type TriggerName = 'landbot' | 'tiledesk' | 'livechat' | 'botpress' | 'chatwoot' | 'crisp';
export const TRIGGERS: TriggerName[] = ['landbot', 'tiledesk', 'livechat', 'botpress', 'chatwoot', 'crisp'];

/** A valid delivery of one kind (an event, action or endpoint), as the platform sent it. */
export type Templates = Record<string, Record<string, unknown>>;

export interface FreshContext {
	rng: Rng;
	caseId: string;
	index: number;
}

export interface TriggerSpec {
	name: TriggerName;
	/** How often each template kind is used. */
	kinds: Record<string, number>;
	/** A valid delivery from a template: fresh ids (a conversation of its own), the case marker. */
	fresh(template: Record<string, unknown>, ctx: FreshContext, kind: string): Record<string, unknown>;
	/** null when the trigger can read `body` (as JSON.parse gives it) sent as `kind`; else why not. */
	unreadable(body: unknown, kind: string): string | null;
	/** The fields the trigger relies on, mutated more often than the rest. */
	important(kind: string): Path[];
	/** Fields never mutated: the secret (these cases all carry the right one) and the marker. */
	protectedKeys: string[];
	/** Botpress: each kind is an endpoint (the path after the webhook base). */
	endpoints?: boolean;
	/** The kind a body is (for its important fields); without it, the kind is read as the older triggers need. */
	kindOf?(body: Record<string, unknown>): string;
}

/** Key every generated delivery carries with its case id, so an execution names the case that started it. */
export const MARKER = 'fuzz_case';

const landbot: TriggerSpec = {
	name: 'landbot',
	kinds: { message: 1 },
	protectedKeys: [MARKER],
	fresh(template, { rng, caseId }) {
		const body = clone(template) as { messages: Array<Record<string, any>> };
		const customerId = 1_000_000 + rng.int(900_000_000);
		const count = rng.chance(0.2) ? 2 + rng.int(2) : 1;
		const first = body.messages[0];
		body.messages = Array.from({ length: count }, (_, i) => {
			const message = clone(first);
			message.customer.id = customerId;
			// Now: the sequencer's hold-back follows how late deliveries arrive, measured from these times.
			message.timestamp = Math.round(Date.now() + i) / 1000;
			message._raw.uuid = `${caseId}-${i}`;
			message[MARKER] = caseId;
			return message;
		});
		return body;
	},
	unreadable(b) {
		if (!isObject(b)) return 'body is not an object';
		if (!Array.isArray(b.messages)) return 'messages is not an array';
		for (const [i, m] of b.messages.entries()) {
			if (!isObject(m)) return `messages[${i}] is not an object`;
			if (!isObject(m.customer)) return `messages[${i}].customer is not an object`;
			if (!isId(m.customer.id)) return `messages[${i}].customer.id is not an id`;
			if (!isObject(m.sender)) return `messages[${i}].sender is not an object`;
			if (typeof m.sender.type !== 'string') return `messages[${i}].sender.type is not a string`;
		}
		return null;
	},
	important: () => [
		['messages'],
		['messages', 0],
		['messages', 0, 'customer'],
		['messages', 0, 'customer', 'id'],
		['messages', 0, 'customer', 'agent_id'],
		['messages', 0, 'sender'],
		['messages', 0, 'sender', 'type'],
		['messages', 0, 'sender', 'id'],
		['messages', 0, 'type'],
		['messages', 0, 'timestamp'],
		['messages', 0, 'data'],
		['messages', 0, 'data', 'body'],
		['messages', 0, '_raw'],
		['messages', 0, '_raw', 'uuid'],
		['messages', 0, 'channel'],
	],
};

const tiledesk: TriggerSpec = {
	name: 'tiledesk',
	kinds: { 'message.create': 6, 'request.create': 1, 'request.update': 1, 'request.close': 2 },
	protectedKeys: [MARKER],
	fresh(template, { rng, caseId }, kind) {
		const body = clone(template) as Record<string, any>;
		const project = String(body.payload?.id_project ?? body.hook?.id_project ?? 'p');
		const requestId = `support-group-${project}-${caseId}`;
		const at = new Date().toISOString();
		body.timestamp = Date.now();
		for (const field of ['createdAt', 'updatedAt', 'closed_at']) if (typeof body.payload[field] === 'string') body.payload[field] = at;
		if (kind === 'message.create') {
			body.payload._id = rng.hex(24);
			body.payload.recipient = requestId;
			body.payload.createdAt = at;
			if (isObject(body.payload.request)) body.payload.request.request_id = requestId;
		} else {
			body.payload._id = rng.hex(24);
			body.payload.request_id = requestId;
			body.payload.updatedAt = at;
		}
		body[MARKER] = caseId;
		return body;
	},
	unreadable(b) {
		if (!isObject(b)) return 'body is not an object';
		if (!isObject(b.hook) || !nonEmptyString(b.hook.event)) return 'hook.event is missing';
		if (!nonEmptyString(b.hook._id)) return 'hook._id (the subscription) is missing';
		if (!isObject(b.payload)) return 'payload is not an object';
		const p = b.payload;
		if (b.hook.event === 'message.create') {
			if (!isId(p._id)) return 'payload._id is not an id';
			if (!nonEmptyString(p.sender)) return 'payload.sender is not a non-empty string';
			if (!nonEmptyString(p.recipient)) return 'payload.recipient is not a non-empty string';
		} else if (b.hook.event.startsWith('request.')) {
			if (!nonEmptyString(p.request_id)) return 'payload.request_id is not a non-empty string';
		}
		return null;
	},
	important: (kind) => [
		['hook'],
		['hook', 'event'],
		['hook', '_id'],
		['hook', 'id_project'],
		['payload', 'id_project'],
		['payload'],
		['timestamp'],
		...(kind === 'message.create'
			? [
					['payload', '_id'],
					['payload', 'sender'],
					['payload', 'recipient'],
					['payload', 'text'],
					['payload', 'type'],
					['payload', 'attributes'],
					['payload', 'metadata'],
					['payload', 'request'],
					['payload', 'request', 'lead'],
					['payload', 'createdAt'],
				]
			: [
					['payload', 'request_id'],
					['payload', 'lead'],
					['payload', 'status'],
					['payload', 'department'],
					['payload', 'participants'],
					['payload', 'attributes'],
					['payload', 'messages'],
					['payload', 'closed_at'],
					['payload', 'updatedAt'],
				]),
	],
};

const livechat: TriggerSpec = {
	name: 'livechat',
	kinds: { incoming_event: 6, incoming_chat: 1, chat_deactivated: 2, chat_transferred: 1 },
	protectedKeys: [MARKER, 'secret_key'],
	fresh(template, { rng, caseId, index }, kind) {
		const body = clone(template) as Record<string, any>;
		const chatId = `FZ${rng.hex(8).toUpperCase()}${index}`;
		const threadId = `T${rng.hex(8).toUpperCase()}`;
		const p = body.payload;
		const now = new Date().toISOString();
		if (kind === 'incoming_chat') {
			p.chat.id = chatId;
			if (isObject(p.chat.thread)) {
				p.chat.thread.id = threadId;
				p.chat.thread.created_at = now;
				for (const event of Array.isArray(p.chat.thread.events) ? p.chat.thread.events : []) if (isObject(event)) event.created_at = now;
			}
		} else {
			p.chat_id = chatId;
			p.thread_id = threadId;
		}
		if (kind === 'incoming_event') {
			p.event.id = `${threadId}_${index}`;
			p.event.created_at = now;
		}
		if (isObject(p.queue) && typeof p.queue.queued_at === 'string') p.queue.queued_at = now;
		body[MARKER] = caseId;
		return body;
	},
	unreadable(b) {
		if (!isObject(b)) return 'body is not an object';
		if (!nonEmptyString(b.action)) return 'action is missing';
		if (!isObject(b.payload)) return 'payload is not an object';
		const p = b.payload;
		if (b.action === 'incoming_event') {
			if (!nonEmptyString(p.chat_id)) return 'payload.chat_id is missing';
			if (!isObject(p.event)) return 'payload.event is not an object';
			if (!nonEmptyString(p.event.id)) return 'payload.event.id is missing';
		} else if (b.action === 'chat_deactivated' || b.action === 'chat_transferred') {
			if (!nonEmptyString(p.chat_id)) return 'payload.chat_id is missing';
			if (b.action === 'chat_transferred' && p.transferred_to !== undefined && !isObject(p.transferred_to)) {
				return 'payload.transferred_to is not an object';
			}
			if (b.action === 'chat_transferred' && p.queue !== undefined && p.queue !== null && !isObject(p.queue)) {
				return 'payload.queue is not an object';
			}
		} else if (b.action === 'incoming_chat') {
			if (!isObject(p.chat) || !nonEmptyString(p.chat.id)) return 'payload.chat.id is missing';
		}
		return null;
	},
	important: (kind) => [
		['action'],
		['payload'],
		['webhook_id'],
		['organization_id'],
		['additional_data'],
		['additional_data', 'chat_properties'],
		...(kind === 'incoming_event'
			? [
					['payload', 'chat_id'],
					['payload', 'thread_id'],
					['payload', 'event'],
					['payload', 'event', 'id'],
					['payload', 'event', 'type'],
					['payload', 'event', 'text'],
					['payload', 'event', 'author_id'],
					['payload', 'event', 'created_at'],
					['payload', 'event', 'custom_id'],
					['payload', 'event', 'visibility'],
				]
			: kind === 'incoming_chat'
				? [
						['payload', 'chat'],
						['payload', 'chat', 'id'],
						['payload', 'chat', 'users'],
						['payload', 'chat', 'thread'],
						['payload', 'chat', 'thread', 'events'],
						['payload', 'chat', 'access'],
						['payload', 'chat', 'properties'],
					]
				: [
						['payload', 'chat_id'],
						['payload', 'thread_id'],
						['payload', 'user_id'],
						['payload', 'transferred_to'],
						['payload', 'queue'],
						['payload', 'reason'],
						['payload', 'requester_id'],
					]),
	],
};

const HISTORY_AUTHORS = ['user', 'bot', 'agent', 'Ada Lovelace'];

const botpress: TriggerSpec = {
	name: 'botpress',
	kinds: { botSendsMessage: 5, createRemoteConversation: 2, createRemoteUser: 1, closeRemoteTicket: 1.5, ping: 0.5 },
	protectedKeys: [MARKER],
	endpoints: true,
	fresh(template, { rng, caseId, index }, kind) {
		const body = clone(template) as Record<string, any>;
		if (kind === 'botSendsMessage') {
			body.remoteConversationId = `bp-${rng.hex(24)}`;
			if (isObject(body.payload) && typeof body.payload.text === 'string') body.payload.text = `message ${caseId}`;
		} else if (kind === 'createRemoteConversation') {
			body.payload.title = `Ticket ${caseId}`;
			body.payload.description = `conv_${rng.hex(12)}${index}`;
			if (Array.isArray(body.payload.messages)) {
				for (const message of body.payload.messages) if (rng.chance(0.3)) message.author = rng.pick(HISTORY_AUTHORS);
			}
		} else if (kind === 'createRemoteUser') {
			body.payload.name = `User ${caseId}`;
		} else if (kind === 'closeRemoteTicket') {
			body.payload.botpressConversationId = `conv_${rng.hex(12)}${index}`;
		}
		body[MARKER] = caseId;
		return body;
	},
	unreadable(b, endpoint) {
		if (!isObject(b)) return 'body is not an object';
		if (b.type !== undefined && b.type !== endpoint) return `type is not "${endpoint}"`;
		const p = b.payload;
		switch (endpoint) {
			case 'createRemoteUser':
				if (!isObject(p)) return 'payload is not an object';
				for (const key of ['name', 'email', 'pictureUrl']) {
					if (p[key] !== undefined && p[key] !== null && typeof p[key] !== 'string') return `payload.${key} is not a string`;
				}
				return null;
			case 'createRemoteConversation': {
				if (!isObject(p)) return 'payload is not an object';
				for (const key of ['title', 'description']) {
					if (p[key] !== undefined && p[key] !== null && typeof p[key] !== 'string') return `payload.${key} is not a string`;
				}
				const messages = p.messages ?? [];
				if (!Array.isArray(messages)) return 'payload.messages is not an array';
				for (const [i, m] of messages.entries()) {
					if (!isObject(m) || typeof m.text !== 'string') return `payload.messages[${i}].text is not a string`;
				}
				return null;
			}
			case 'botSendsMessage':
				if (typeof b.remoteConversationId !== 'string' || b.remoteConversationId.trim() === '') return 'remoteConversationId is missing';
				if (typeof b.remoteUserId !== 'string' || b.remoteUserId.trim() === '') return 'remoteUserId is missing';
				if (!isObject(p)) return 'payload is not an object';
				return null;
			case 'closeRemoteTicket':
				if (!isObject(p) || typeof p.botpressConversationId !== 'string' || p.botpressConversationId.trim() === '') {
					return 'payload.botpressConversationId is missing';
				}
				return null;
			default:
				return null;
		}
	},
	important: (endpoint) => [
		['type'],
		['payload'],
		...(endpoint === 'botSendsMessage'
			? [['remoteConversationId'], ['remoteUserId'], ['payload', 'text'], ['payload', 'imageUrl'], ['payload', 'items'], ['payload', 'options']]
			: endpoint === 'createRemoteConversation'
				? [
						['payload', 'title'],
						['payload', 'description'],
						['payload', 'messages'],
						['payload', 'messages', 0],
						['payload', 'messages', 0, 'text'],
						['payload', 'messages', 0, 'author'],
						['payload', 'messages', 0, 'timestamp'],
					]
				: endpoint === 'createRemoteUser'
					? [['payload', 'name'], ['payload', 'email'], ['payload', 'pictureUrl'], ['payload', 'role']]
					: [['payload', 'botpressConversationId']]),
	],
};

/** The account-webhook events the Chatwoot Trigger reads (nodes/Chatwoot/trigger/delivery.ts); others are answered 200 and dropped. */
const CHATWOOT_READ = ['message_created', 'conversation_created', 'conversation_status_changed', 'conversation_updated', 'conversation_opened', 'conversation_resolved'];
const CHATWOOT_MESSAGE_KINDS = ['incoming', 'incoming_file', 'outgoing', 'note'];

/**
 * Chatwoot account webhooks (signed; the harness signs each case's bytes). Kinds: a contact's text
 * and file, an agent's reply, a private note (message_created), and the conversation's changes:
 * created, pending → open (to the humans), resolved, an agent assigned (conversation_updated).
 */
const chatwoot: TriggerSpec = {
	name: 'chatwoot',
	kinds: { incoming: 2, incoming_file: 1, outgoing: 3, note: 1, conversation_created: 1, status_open: 1, status_resolved: 1, assigned: 1 },
	protectedKeys: [MARKER],
	fresh(template, { rng, caseId, index }, kind) {
		const body = clone(template) as Record<string, any>;
		const conversationId = freshNumber(rng, index);
		const nowSeconds = Date.now() / 1000;
		// The conversation as a delivery carries it: the message's `conversation`, or the body itself.
		const conversation = CHATWOOT_MESSAGE_KINDS.includes(kind) ? body.conversation : body;
		conversation.id = conversationId;
		conversation.updated_at = nowSeconds;
		conversation.timestamp = Math.floor(nowSeconds);
		for (const message of Array.isArray(conversation.messages) ? conversation.messages : []) {
			if (isObject(message)) message.conversation_id = conversationId;
		}
		if (CHATWOOT_MESSAGE_KINDS.includes(kind)) {
			body.id = freshNumber(rng, index);
			body.created_at = new Date().toISOString();
			for (const attachment of Array.isArray(body.attachments) ? body.attachments : []) if (isObject(attachment)) attachment.message_id = body.id;
		}
		body[MARKER] = caseId;
		return body;
	},
	unreadable(b) {
		// What parseDelivery refuses (400); an event it does not read is answered 200 and dropped.
		if (!isObject(b)) return 'body is not an object';
		if (!nonEmptyString(b.event)) return 'event is missing';
		if (!CHATWOOT_READ.includes(b.event)) return null;
		if (b.event === 'message_created') {
			if (!readsAsId(b.id)) return 'id (the message) is not an id';
			const conversation = isObject(b.conversation) ? b.conversation : {};
			if (!readsAsId(conversation.id)) return 'conversation.id is not an id';
			return null;
		}
		if (!readsAsId(b.id)) return 'id (the conversation) is not an id';
		return null;
	},
	kindOf(b) {
		if (b.event === 'message_created') {
			if (b.private === true) return 'note';
			if (b.message_type !== 'incoming') return 'outgoing';
			return Array.isArray(b.attachments) && b.attachments.length > 0 ? 'incoming_file' : 'incoming';
		}
		if (b.event === 'conversation_created') return 'conversation_created';
		if (b.event === 'conversation_status_changed') return b.status === 'resolved' ? 'status_resolved' : 'status_open';
		if (b.event === 'conversation_updated') return 'assigned';
		return '';
	},
	important: (kind) => [
		['event'],
		['id'],
		...(CHATWOOT_MESSAGE_KINDS.includes(kind)
			? [
					['message_type'],
					['private'],
					['content'],
					['content_type'],
					['content_attributes'],
					['created_at'],
					['sender'],
					['sender', 'type'],
					['sender', 'id'],
					['sender', 'name'],
					['attachments'],
					['attachments', 0],
					['attachments', 0, 'file_type'],
					['attachments', 0, 'data_url'],
					['attachments', 0, 'coordinates_lat'],
					['inbox'],
					['inbox', 'id'],
					['conversation'],
					['conversation', 'id'],
					['conversation', 'status'],
					['conversation', 'meta'],
					['conversation', 'meta', 'sender'],
					['conversation', 'meta', 'sender', 'id'],
					['conversation', 'meta', 'sender', 'identifier'],
					['conversation', 'meta', 'assignee'],
					['conversation', 'contact_inbox'],
					['conversation', 'contact_inbox', 'contact_id'],
					['conversation', 'inbox_id'],
				]
			: [
					['status'],
					['changed_attributes'],
					['changed_attributes', 0],
					['changed_attributes', 0, kind === 'assigned' ? 'assignee_id' : 'status'],
					['changed_attributes', 0, kind === 'assigned' ? 'assignee_id' : 'status', 'previous_value'],
					['changed_attributes', 0, kind === 'assigned' ? 'assignee_id' : 'status', 'current_value'],
					['meta'],
					['meta', 'sender'],
					['meta', 'sender', 'id'],
					['meta', 'assignee'],
					['meta', 'assignee', 'id'],
					['meta', 'team'],
					['custom_attributes'],
					['updated_at'],
					['timestamp'],
					['created_at'],
					['contact_inbox'],
					['inbox_id'],
					['performed_by'],
				]),
	],
};

/** The web hook events the Crisp Trigger reads (nodes/Crisp/trigger/delivery.ts); others are answered 200 and dropped. */
const CRISP_READ = ['message:send', 'message:received', 'session:set_state', 'session:set_routing'];
const CRISP_MESSAGE_KINDS = ['message:send', 'message:received', 'note'];
const CRISP_STATES = ['resolved', 'unresolved', 'pending'];

/**
 * Crisp plugin hooks (signed; the harness signs each case's bytes): `{website_id, event, data,
 * timestamp}`. Kinds: a visitor's message (message:send), an operator's reply or private note
 * (message:received), a state change (session:set_state), a routing (session:set_routing).
 * Only body shapes: what the trigger does after reading them may change.
 */
const crisp: TriggerSpec = {
	name: 'crisp',
	kinds: { 'message:send': 3, 'message:received': 3, note: 1, 'session:set_state': 2, 'session:set_routing': 1 },
	protectedKeys: [MARKER],
	fresh(template, { rng, caseId, index }, kind) {
		const body = clone(template) as Record<string, any>;
		const data = body.data as Record<string, any>;
		const sessionId = `session_${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}${String(index).padStart(8, '0')}`;
		const now = Date.now();
		data.session_id = sessionId;
		body.timestamp = now;
		if (CRISP_MESSAGE_KINDS.includes(kind)) {
			data.fingerprint = freshNumber(rng, index);
			data.timestamp = now;
			// A visitor's user_id is their session_id.
			if (kind === 'message:send' && isObject(data.user)) data.user.user_id = sessionId;
			// Now and then an operator's file (docs: content {name, url, type}), as the template has text.
			if (kind === 'message:received' && rng.chance(0.2)) {
				data.type = 'file';
				data.content = { name: 'photo.png', url: 'https://storage.crisp.chat/users/upload/photo.png', type: 'image/png' };
			}
		} else if (kind === 'session:set_state') {
			data.state = rng.pick(CRISP_STATES);
		}
		body[MARKER] = caseId;
		return body;
	},
	unreadable(b) {
		// What parseDelivery refuses (400); an event it does not read is answered 200 and dropped.
		if (!isObject(b)) return 'body is not an object';
		if (!nonEmptyString(b.event)) return 'event is missing';
		if (!CRISP_READ.includes(b.event)) return null;
		if (!isObject(b.data)) return 'data is not an object';
		if (!readsAsId(b.website_id) && !readsAsId(b.data.website_id)) return 'website_id (and data.website_id) is not an id';
		if (!readsAsId(b.data.session_id)) return 'data.session_id is not an id';
		if ((b.event === 'message:send' || b.event === 'message:received') && !readsAsId(b.data.fingerprint)) return 'data.fingerprint is not an id';
		return null;
	},
	kindOf(b) {
		const data = isObject(b.data) ? b.data : {};
		if (b.event === 'message:received' && data.type === 'note') return 'note';
		return typeof b.event === 'string' && CRISP_READ.includes(b.event) ? b.event : '';
	},
	important: (kind) => [
		['event'],
		['website_id'],
		['timestamp'],
		['data'],
		['data', 'website_id'],
		['data', 'session_id'],
		['data', 'inbox_id'],
		...(CRISP_MESSAGE_KINDS.includes(kind)
			? [
					['data', 'fingerprint'],
					['data', 'type'],
					['data', 'from'],
					['data', 'origin'],
					['data', 'content'],
					['data', 'content', 'url'],
					['data', 'content', 'name'],
					['data', 'content', 'type'],
					['data', 'timestamp'],
					['data', 'user'],
					['data', 'user', 'user_id'],
					['data', 'user', 'nickname'],
					['data', 'automated'],
				]
			: kind === 'session:set_state'
				? [['data', 'state']]
				: [['data', 'routing_id'], ['data', 'previous_routing_id'], ['data', 'assigned'], ['data', 'assigned', 'user_id']]),
	],
};

export const SPECS: Record<TriggerName, TriggerSpec> = { landbot, tiledesk, livechat, botpress, chatwoot, crisp };

// ---------------------------------------------------------------- cases

export type Expectation = 'valid' | 'reject' | 'any';

export interface FuzzCase {
	id: string;
	trigger: TriggerName;
	index: number;
	/** The template kind (event, action, endpoint) the case was made from. */
	kind: string;
	/** Botpress: the endpoint the case is sent to (differs from `kind` for cross-endpoint cases). */
	endpoint?: string;
	/** Mutation family, e.g. `field:wrongType`, `body:notJson`, `headers:contentType`. */
	mutation: string;
	/** What was done, e.g. `messages[0].customer.id ← {"id":1}`. */
	detail: string;
	headers: Record<string, string>;
	body: Buffer;
	expect: Expectation;
	/** Why the body is unreadable (expect reject). */
	reason?: string;
	/** The marker the body carries (the case id), when its execution can name it. */
	marker: string | null;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

const CONTENT_TYPES: Array<{ headers: Record<string, string>; encode?: 'gzip' | 'garbage-gzip' | 'utf16' }> = [
	{ headers: {} },
	{ headers: { 'content-type': 'text/plain' } },
	{ headers: { 'content-type': 'application/x-www-form-urlencoded' } },
	{ headers: { 'content-type': 'multipart/form-data' } },
	{ headers: { 'content-type': 'multipart/form-data; boundary=----fuzz' } },
	{ headers: { 'content-type': 'application/xml' } },
	{ headers: { 'content-type': 'text/xml' } },
	{ headers: { 'content-type': 'text/html' } },
	{ headers: { 'content-type': 'application/octet-stream' } },
	{ headers: { 'content-type': 'application/json; charset=utf-16' } },
	{ headers: { 'content-type': 'application/json; charset=latin1' } },
	{ headers: { 'content-type': 'application/json; charset=bogus' } },
	{ headers: { 'content-type': 'Application/JSON' } },
	{ headers: { 'content-type': 'application/vnd.api+json' } },
	{ headers: { 'content-type': 'application/jsonx' } },
	{ headers: { 'content-type': '*/*' } },
	{ headers: { 'content-type': ';;;=garbage' } },
	{ headers: { 'content-type': 'image/png' } },
	{ headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, encode: 'gzip' },
	{ headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, encode: 'garbage-gzip' },
	{ headers: { 'content-type': 'application/json', 'content-encoding': 'br' } },
	{ headers: { 'content-type': 'application/json', 'content-encoding': 'bogus' } },
	{ headers: { 'content-type': 'application/json; charset=utf-16le' }, encode: 'utf16' },
];

const NOT_JSON: Array<(rng: Rng, valid: string) => { text: string | Buffer; expect?: Expectation }> = [
	(rng, valid) => ({ text: valid.slice(0, 1 + rng.int(valid.length - 1)) }),
	(rng, valid) => ({ text: `${valid}${rng.pick(['x', '}', ',', ' {"a":1}', '\u0000'])}` }),
	(_rng, valid) => ({ text: valid.replace(/"/g, "'") }),
	(_rng, valid) => ({ text: valid.replace(/:(\d+)/, ':NaN') }),
	(_rng, valid) => ({ text: `/* comment */${valid}` }),
	(_rng, valid) => ({ text: `\ufeff${valid}`, expect: 'any' }),
	(rng) => ({ text: Buffer.from(Array.from({ length: 1 + rng.int(2000) }, () => rng.int(256))) }),
	(_rng, valid) => ({ text: Buffer.concat([Buffer.from(valid.slice(0, -2)), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from(valid.slice(-2))]) }),
	(_rng, valid) => {
		// invalid UTF-8 inside a string: decoded to U+FFFD, still JSON (judged by its content)
		const at = valid.indexOf('":"') + 3;
		return { text: Buffer.concat([Buffer.from(valid.slice(0, at)), Buffer.from([0xed, 0xa0, 0x80, 0xc0, 0xaf]), Buffer.from(valid.slice(at))]) };
	},
	() => ({ text: '<?xml version="1.0"?><messages><message><customer><id>1</id></customer></message></messages>' }),
	() => ({ text: 'messages[0][customer][id]=1&messages[0][sender][type]=customer' }),
	(rng) => ({ text: rng.pick(['{', '[', '"', '{"a":', '{"a" 1}', '{,}', '[1,]', 'undefined', 'NaN', '-', '0x1F', '1.', '.5', "'x'"]) }),
	() => ({ text: 'null' }),
	() => ({ text: '   ' }),
];

export interface GeneratorOptions {
	seed: number;
	templates: Templates;
	/** Case ids are `<prefix>-<n>`; default the trigger's name (the flood uses its own, so no id repeats one a trigger remembers). */
	idPrefix?: string;
}

/**
 * The cases of one trigger, made one at a time (bodies of up to a few MB are not kept). The same
 * seed and templates give the same sequence.
 */
export class CaseGenerator {
	private readonly rng: Rng;
	private index = 0;
	private readonly spec: TriggerSpec;
	private readonly kinds: string[];

	constructor(
		readonly trigger: TriggerName,
		private readonly options: GeneratorOptions,
	) {
		this.spec = SPECS[trigger];
		this.rng = new Rng(hashSeed(`${options.seed}:${trigger}`));
		this.kinds = Object.keys(this.spec.kinds).filter((k) => options.templates[k]);
		const missing = Object.keys(this.spec.kinds).filter((k) => !options.templates[k]);
		if (missing.length) throw new Error(`${trigger}: no template for ${missing.join(', ')}`);
	}

	/** A valid delivery of `kind` with fresh ids (also used by the flood). */
	valid(kind?: string): FuzzCase {
		const index = this.index++;
		const chosen = kind ?? this.pickKind();
		const id = `${this.options.idPrefix ?? this.trigger}-${index}`;
		const body = this.fresh(chosen, id, index);
		return this.finish({ index, kind: chosen, id, mutation: 'valid', detail: 'a fresh valid delivery', value: body, headers: JSON_HEADERS });
	}

	next(): FuzzCase {
		const rng = this.rng;
		const family = rng.weighted({
			valid: 8,
			field: 45,
			multiField: 4,
			randomJson: 8,
			notJson: 7,
			contentType: 8,
			empty: 2,
			deep: 2,
			duplicateKeys: 5,
			protoKeys: 4,
			notObject: 3,
			huge: 3,
			crossEndpoint: this.spec.endpoints ? 3 : 0,
		});
		if (family === 'valid') return this.valid();
		const index = this.index++;
		const kind = this.pickKind();
		const id = `${this.options.idPrefix ?? this.trigger}-${index}`;
		const base = this.fresh(kind, id, index);
		const make = (mutation: string, detail: string, value: unknown, extra: Partial<Draft> = {}) =>
			this.finish({ index, kind, id, mutation, detail, value, headers: JSON_HEADERS, ...extra });

		switch (family) {
			case 'field': {
				const { value, detail, op } = this.mutateField(base);
				return make(`field:${op}`, detail, value);
			}
			case 'multiField': {
				let value: unknown = base;
				const details: string[] = [];
				for (let i = 0, n = 2 + rng.int(3); i < n; i++) {
					if (!isObject(value)) break;
					const step = this.mutateField(value as Record<string, unknown>, ['wrongType', 'weird', 'delete', 'null']);
					value = step.value;
					details.push(step.detail);
				}
				return make('field:multi', details.join('; '), value);
			}
			case 'randomJson': {
				const value = rng.chance(0.5) ? randomValue(rng) : { ...(randomValue(rng, 1) as object), [MARKER]: id };
				return make('body:randomJson', 'random JSON of a random shape', value, { marked: isObject(value) && MARKER in value });
			}
			case 'notJson': {
				const valid = serialize(base);
				const { text, expect } = rng.pick(NOT_JSON)(rng, valid);
				return this.finishRaw({ index, kind, id, mutation: 'body:notJson', detail: 'not JSON, sent as application/json', headers: JSON_HEADERS, raw: text, expect });
			}
			case 'contentType': {
				const variant = rng.pick(CONTENT_TYPES);
				const text = serialize(base);
				let raw: string | Buffer = text;
				if (variant.encode === 'gzip') raw = zlib.gzipSync(text);
				if (variant.encode === 'garbage-gzip') raw = Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
				if (variant.encode === 'utf16') raw = Buffer.from(text, 'utf16le');
				const detail = `valid body with ${JSON.stringify(variant.headers)}${variant.encode ? ` (${variant.encode})` : ''}`;
				return this.finishRaw({ index, kind, id, mutation: 'headers:contentType', detail, headers: variant.headers, raw, expect: 'any', marked: true });
			}
			case 'empty': {
				const headers = rng.pick([JSON_HEADERS, {}, { 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }]);
				return this.finishRaw({ index, kind, id, mutation: 'body:empty', detail: `empty body, ${JSON.stringify(headers)}`, headers, raw: '' });
			}
			case 'deep': {
				if (rng.chance(0.5)) return make('body:deep', `the whole body ${DEEP} levels deep`, deepNest(rng), { marked: false });
				const value = clone(base);
				withOwnKey(value, rng.pick(['extra', 'payload', 'data']), deepNest(rng));
				return make('body:deep', `${DEEP}-deep nesting beside/instead of a top-level field`, value);
			}
			case 'duplicateKeys': {
				const { value, detail } = this.duplicateKey(base);
				return make('body:duplicateKeys', detail, value);
			}
			case 'protoKeys': {
				const { value, detail } = this.protoKeys(base);
				return make('body:protoKeys', detail, value);
			}
			case 'notObject': {
				const value = rng.pick<unknown>([[base], [], 'a string', 42, true, new Raw('-0'), [[base]], new Raw('1e309')]);
				return make('body:notObject', `top-level ${typeName(value)}`, value, { marked: false });
			}
			case 'huge': {
				const variant = rng.int(4);
				if (variant === 0) return make('body:huge', 'a 1 MB JSON string as the body', hugeString(rng), { marked: false });
				if (variant === 1) return make('body:huge', 'a 100k+ element array as the body', hugeArray(rng), { marked: false });
				if (variant === 2) {
					const value = clone(base);
					withOwnKey(value, 'extra', manyKeys(rng));
					return make('body:huge', 'a top-level field with 20k+ keys', value);
				}
				const { value, detail } = this.mutateField(base, ['hugeString', 'hugeArray']);
				return make('body:huge', detail, value);
			}
			case 'crossEndpoint': {
				const endpoint = rng.pick(this.kinds.filter((k) => k !== kind));
				return this.finish({
					index,
					kind,
					id,
					mutation: 'path:crossEndpoint',
					detail: `a valid ${kind} body sent to /${endpoint}`,
					value: base,
					headers: JSON_HEADERS,
					endpoint,
				});
			}
		}
		throw new Error(`unknown family ${family}`);
	}

	private pickKind(): string {
		const weights = Object.fromEntries(this.kinds.map((k) => [k, this.spec.kinds[k]]));
		return this.rng.weighted(weights);
	}

	private fresh(kind: string, caseId: string, index: number): Record<string, unknown> {
		return this.spec.fresh(this.options.templates[kind], { rng: this.rng, caseId, index }, kind);
	}

	private mutablePaths(value: Record<string, unknown>): Path[] {
		return allPaths(value).filter((p) => !p.some((step) => this.spec.protectedKeys.includes(String(step))));
	}

	/** One field of a valid delivery changed: the structure-aware part. */
	private mutateField(
		base: Record<string, unknown>,
		ops?: string[],
	): { value: Record<string, unknown>; detail: string; op: string } {
		const rng = this.rng;
		const value = clone(base);
		const paths = this.mutablePaths(value);
		const important = this.importantIn(value);
		// (a body already stripped to its marker has no field left: a new one is made up)
		const path = important.length && rng.chance(0.5) ? rng.pick(important) : paths.length ? rng.pick(paths) : [randomKey(rng)];
		const current = getAt(value, path);
		const op = ops?.length
			? rng.pick(ops)
			: rng.weighted({ wrongType: 40, weird: 20, delete: 10, null: 6, empty: 5, protoKey: 5, deep: 4, hugeString: 3, hugeArray: 3, manyItems: 1 });
		let replacement: unknown;
		switch (op) {
			case 'wrongType':
				replacement = otherType(rng, current);
				break;
			case 'weird':
				replacement = weirdValue(rng, current);
				break;
			case 'delete':
				setAt(value, path, undefined, true);
				return { value, detail: `${pathText(path)} deleted`, op };
			case 'null':
				replacement = null;
				break;
			case 'empty':
				replacement = rng.pick<unknown>(['', [], {}]);
				break;
			case 'protoKey': {
				const key = rng.pick(['__proto__', 'constructor', 'prototype']);
				const inner = rng.pick<unknown>([{ polluted: true }, { type: 'customer', id: 1 }, { prototype: { polluted: true } }, 'x', null]);
				replacement = isObject(current) ? withOwnKey(clone(current), key, inner) : withOwnKey({}, key, inner);
				break;
			}
			case 'deep':
				replacement = deepNest(rng);
				break;
			case 'hugeString':
				replacement = hugeString(rng);
				break;
			case 'hugeArray':
				replacement = hugeArray(rng);
				break;
			case 'manyItems':
				// a readable array of many copies (e.g. 1,000 Landbot messages): one big execution
				replacement = Array.isArray(current) ? Array(500).fill(current[0]) : Array(500).fill(current);
				break;
		}
		setAt(value, path, replacement);
		return { value, detail: `${pathText(path)} ← ${preview(replacement, 80)}`, op };
	}

	private importantIn(value: Record<string, unknown>): Path[] {
		const kind = this.currentKind(value);
		return this.spec.important(kind).filter((p) => getAt(value, p) !== undefined || p.length === 1);
	}

	/** The kind of a fresh body (for its important fields). */
	private currentKind(value: Record<string, unknown>): string {
		// A mutated body may hold anything here (an object without toString, a Symbol): only a string is a kind.
		const kindOf = (field: unknown): string => (typeof field === 'string' ? field : '');
		if (this.spec.kindOf) return this.spec.kindOf(value);
		if (this.trigger === 'tiledesk') return isObject(value.hook) ? kindOf((value.hook as Record<string, unknown>).event) : '';
		if (this.trigger === 'livechat') return kindOf(value.action);
		if (this.trigger === 'botpress') return kindOf(value.type);
		return 'message';
	}

	/** An object of the delivery written with one key twice: the real value and a wrong one, in either order. */
	private duplicateKey(base: Record<string, unknown>): { value: unknown; detail: string } {
		const rng = this.rng;
		const candidates = this.importantIn(base).filter((p) => isObject(p.length === 1 ? base : getAt(base, p.slice(0, -1))));
		const path = candidates.length ? rng.pick(candidates) : [rng.pick(Object.keys(base))];
		const parentPath = path.slice(0, -1);
		const key = String(path[path.length - 1]);
		const parent = (parentPath.length ? getAt(base, parentPath) : base) as Record<string, unknown>;
		const wrong = otherType(rng, parent[key]);
		const wrongLast = rng.chance(0.5);
		const entries: Array<[string, unknown]> = [];
		for (const k of Object.keys(parent)) {
			if (k !== key) entries.push([k, parent[k]]);
			else if (wrongLast) entries.push([k, parent[k]], [k, wrong]);
			else entries.push([k, wrong], [k, parent[k]]);
		}
		if (!(key in parent)) entries.push([key, wrong]);
		const replaced = new Entries(entries);
		let value: unknown;
		if (parentPath.length === 0) value = replaced;
		else {
			value = clone(base);
			setAt(value, parentPath, replaced);
		}
		return { value, detail: `${pathText(path)} twice, ${wrongLast ? 'the wrong value last' : 'the wrong value first'} (${preview(wrong, 40)})` };
	}

	/** `__proto__` / `constructor` keys carrying (or hiding) the fields the trigger needs. */
	private protoKeys(base: Record<string, unknown>): { value: unknown; detail: string } {
		const rng = this.rng;
		const key = rng.pick(['__proto__', 'constructor', 'prototype']);
		const required = this.importantIn(base).filter((p) => p.length === 1).map((p) => String(p[0]));
		const field = rng.pick(required.length ? required : Object.keys(base));
		const value = clone(base);
		const variant = rng.int(3);
		if (variant === 0) {
			// the needed field only under __proto__: a parser or copy that honours it would see a valid delivery
			const inner = withOwnKey({}, field, value[field]);
			delete value[field];
			withOwnKey(value, key, inner);
			return { value, detail: `${field} moved under "${key}"` };
		}
		if (variant === 1) {
			withOwnKey(value, key, rng.pick<unknown>([{ polluted: true }, { toString: 'x', valueOf: 1 }, null, 'x', [1]]));
			return { value, detail: `top-level "${key}" key added` };
		}
		const path = rng.pick(this.mutablePaths(value).filter((p) => isObject(getAt(value, p))));
		if (!path) {
			withOwnKey(value, key, { polluted: true });
			return { value, detail: `top-level "${key}" key added` };
		}
		withOwnKey(getAt(value, path) as Record<string, unknown>, key, { polluted: true, id: 1, type: 'customer' });
		return { value, detail: `"${key}" key added in ${pathText(path)}` };
	}

	private finish(d: Draft): FuzzCase {
		return this.finishRaw({ ...d, raw: serialize(d.value), marked: d.marked ?? containsMarker(d.value, d.id) });
	}

	private finishRaw(d: Omit<Draft, 'value'> & { raw: string | Buffer; expect?: Expectation }): FuzzCase {
		const body = typeof d.raw === 'string' ? Buffer.from(d.raw, 'utf8') : d.raw;
		const endpoint = this.spec.endpoints ? d.endpoint ?? d.kind : undefined;
		let expect: Expectation;
		let reason: string | undefined;
		if (d.expect) expect = d.expect;
		else if (d.mutation === 'valid') expect = 'valid';
		else {
			let parsed: unknown;
			let parses = true;
			try {
				parsed = JSON.parse(body.toString('utf8'));
			} catch {
				parses = false;
			}
			reason = parses ? this.spec.unreadable(parsed, endpoint ?? d.kind) ?? undefined : 'not JSON';
			expect = reason ? 'reject' : 'any';
		}
		return {
			id: d.id,
			trigger: this.trigger,
			index: d.index,
			kind: d.kind,
			endpoint,
			mutation: d.mutation,
			detail: d.detail,
			headers: d.headers,
			body,
			expect,
			reason,
			marker: d.marked === false ? null : d.id,
		};
	}
}

interface Draft {
	index: number;
	kind: string;
	id: string;
	mutation: string;
	detail: string;
	value: unknown;
	headers: Record<string, string>;
	endpoint?: string;
	marked?: boolean;
	expect?: Expectation;
}

/** Whether the case's marker is where the execution's event will show it (the body or a Landbot message). */
function containsMarker(value: unknown, id: string): boolean {
	if (value instanceof Entries) return value.entries.some(([k, v]) => k === MARKER && v === id) || value.entries.some(([k, v]) => k === 'messages' && containsMarker({ messages: v }, id));
	if (!isObject(value)) return false;
	if (value[MARKER] === id) return true;
	return Array.isArray(value.messages) && value.messages.some((m: unknown) => isObject(m) && m[MARKER] === id);
}

/** A short readable form of a value for the report. */
export function preview(value: unknown, max = 300): string {
	let text: string;
	if (value instanceof Raw) text = value.text.length > max ? `${value.text.slice(0, max)}… (${value.text.length} chars)` : value.text;
	else if (typeof value === 'string' && value.length > max) text = `"${value.slice(0, max)}…" (${value.length} chars)`;
	else text = serialize(value);
	return text.length > max ? `${text.slice(0, max)}…` : text;
}
