/**
 * An OpenAI-compatible Chat Completions server with a scripted "model", for n8n's OpenAI Chat Model
 * node pointed at it through the `openAiApi` credential's Base URL. Shapes follow OpenAI's API
 * reference (platform.openai.com/docs/api-reference/chat/create, …/chat/object, …/chat/streaming,
 * …/models/list, the error object): `POST /v1/chat/completions` with `messages` and `tools`, an
 * answer with `choices[0].message` (`content`, or `tool_calls` with `finish_reason: "tool_calls"`),
 * `stream: true` as server-sent `chat.completion.chunk`s ending in `data: [DONE]`, and
 * `Authorization: Bearer <key>`.
 *
 * The script decides each turn from the request alone (no hidden state), so a test can tell what
 * n8n sent: every request is recorded with the tools' names, descriptions and parameter schemas.
 */
import * as http from 'http';
import { randomUUID } from 'crypto';

import { close, isObject, listen, parseJsonBody, readBody, sendJson } from '../http';

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface ToolCall {
	id: string;
	type: 'function';
	function: { name: string; arguments: string };
}

export interface ChatMessage {
	role: ChatRole;
	content: string | null | Array<{ type: string; text?: string }>;
	name?: string;
	tool_calls?: ToolCall[];
	tool_call_id?: string;
}

export interface ToolDefinition {
	type: 'function';
	function: { name: string; description?: string; parameters?: Record<string, any>; strict?: boolean };
}

/** What the model does this turn: answer with text, or call one tool. */
export type Turn = { content: string } | { toolCall: { name: string; arguments: Record<string, unknown> } };

export interface CompletionRequest {
	model: string;
	messages: ChatMessage[];
	tools: ToolDefinition[];
	stream: boolean;
	/** The whole request body as n8n sent it. */
	body: Record<string, any>;
}

export interface RecordedCompletion extends CompletionRequest {
	at: number;
	turn: Turn;
}

export type Script = (request: CompletionRequest) => Turn;

export interface OpenAiSimulatorOptions {
	/** The key n8n's credential must send; default a fixed test key. */
	apiKey?: string;
	port?: number;
	host?: string;
	script?: Script;
	/** Listed by `GET /v1/models`; any model name is accepted for completions (CHOICE). */
	models?: string[];
}

const ROLES: readonly ChatRole[] = ['system', 'developer', 'user', 'assistant', 'tool'];

/** A message's text: a string, or the text parts of a content array. */
export function textOf(message: ChatMessage | undefined): string {
	if (!message) return '';
	if (typeof message.content === 'string') return message.content;
	if (Array.isArray(message.content)) return message.content.map((part) => (part.type === 'text' ? (part.text ?? '') : '')).join('');
	return '';
}

/** OpenAI's error object (`{error: {message, type, param, code}}`). */
function error(status: number, message: string, extra: { type?: string; param?: string | null; code?: string | null } = {}) {
	return { status, body: { error: { message, type: extra.type ?? 'invalid_request_error', param: extra.param ?? null, code: extra.code ?? null } } };
}

/** Rough token count (about four characters a token), for `usage`. */
const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

export class OpenAiSimulator {
	readonly apiKey: string;
	/** Every completion request that passed authentication and validation, oldest first. */
	readonly requests: RecordedCompletion[] = [];
	/** Requests refused (status, error message), e.g. a bad key. */
	readonly refused: Array<{ status: number; message: string }> = [];
	script: Script;
	private readonly models: string[];
	private server: http.Server | undefined;
	private port = 0;

	constructor(private readonly options: OpenAiSimulatorOptions = {}) {
		this.apiKey = options.apiKey ?? 'sk-test-openai-simulator-key';
		this.script = options.script ?? (() => ({ content: 'OK' }));
		this.models = options.models ?? ['gpt-4.1-mini'];
	}

	async start(): Promise<this> {
		this.server = http.createServer((req, res) => {
			this.handle(req, res).catch((err) => sendJson(res, 500, error(500, `Simulator error: ${String(err?.message ?? err)}`, { type: 'server_error' }).body));
		});
		this.port = await listen(this.server, this.options.port ?? 0, this.options.host ?? '127.0.0.1');
		return this;
	}

	async stop(): Promise<void> {
		if (this.server) await close(this.server);
		this.server = undefined;
	}

	/** What the credential's Base URL is set to. */
	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}/v1`;
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const raw = await readBody(req);
		const auth = String(req.headers.authorization ?? '');
		if (auth !== `Bearer ${this.apiKey}`) {
			const refusal = error(401, 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.', { code: 'invalid_api_key' });
			this.refused.push({ status: 401, message: refusal.body.error.message });
			return sendJson(res, refusal.status, refusal.body);
		}
		if (req.method === 'GET' && url.pathname === '/v1/models') {
			return sendJson(res, 200, { object: 'list', data: this.models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'simulator' })) });
		}
		if (req.method !== 'POST' || url.pathname !== '/v1/chat/completions') {
			return sendJson(res, 404, error(404, `Invalid URL (${req.method} ${url.pathname})`).body);
		}
		let body: unknown;
		try {
			body = parseJsonBody(raw);
		} catch {
			return sendJson(res, 400, error(400, 'We could not parse the JSON body of your request.').body);
		}
		const checked = this.validate(body);
		if ('status' in checked) {
			this.refused.push({ status: checked.status, message: checked.body.error.message });
			return sendJson(res, checked.status, checked.body);
		}
		const turn = this.script(checked);
		if ('toolCall' in turn && !checked.tools.some((tool) => tool.function.name === turn.toolCall.name)) {
			throw new Error(`the script called tool "${turn.toolCall.name}", which the request does not offer`);
		}
		this.requests.push({ ...checked, at: Date.now(), turn });
		if (checked.stream) return this.stream(res, checked, turn);
		sendJson(res, 200, this.completion(checked, turn));
	}

	/** The checks OpenAI makes that n8n's requests could fail. */
	private validate(body: unknown): CompletionRequest | ReturnType<typeof error> {
		if (!isObject(body)) return error(400, 'The request body must be a JSON object.');
		if (typeof body.model !== 'string' || body.model === '') return error(400, 'you must provide a model parameter', { param: 'model' });
		if (!Array.isArray(body.messages) || body.messages.length === 0) {
			return error(400, "Invalid 'messages': empty array. Expected an array with minimum length 1.", { param: 'messages', code: 'empty_array' });
		}
		const open = new Set<string>();
		for (const [i, message] of (body.messages as unknown[]).entries()) {
			if (!isObject(message) || !ROLES.includes(message.role)) {
				return error(400, `Invalid value for 'messages[${i}].role'.`, { param: `messages[${i}].role`, code: 'invalid_value' });
			}
			if (message.role === 'assistant' && Array.isArray(message.tool_calls)) {
				for (const call of message.tool_calls) open.add(String(call?.id));
			}
			if (message.role === 'tool') {
				// OpenAI refuses a tool result that answers no tool call before it.
				if (!open.has(String(message.tool_call_id))) {
					return error(400, "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", { param: `messages.[${i}].role` });
				}
				open.delete(String(message.tool_call_id));
			}
		}
		const tools = body.tools === undefined ? [] : body.tools;
		if (!Array.isArray(tools) || tools.some((tool) => !isObject(tool) || tool.type !== 'function' || !isObject(tool.function) || typeof tool.function.name !== 'string')) {
			return error(400, "Invalid 'tools': each tool must be {type: 'function', function: {name, description?, parameters?}}.", { param: 'tools' });
		}
		for (const [i, tool] of (tools as ToolDefinition[]).entries()) {
			if (!/^[a-zA-Z0-9_-]{1,64}$/.test(tool.function.name)) {
				return error(400, `Invalid 'tools[${i}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`, { param: `tools[${i}].function.name`, code: 'invalid_value' });
			}
		}
		return { model: body.model, messages: body.messages as ChatMessage[], tools: tools as ToolDefinition[], stream: body.stream === true, body };
	}

	private message(turn: Turn): { content: string | null; toolCalls?: ToolCall[] } {
		if ('content' in turn) return { content: turn.content };
		return {
			content: null,
			toolCalls: [{ id: `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`, type: 'function', function: { name: turn.toolCall.name, arguments: JSON.stringify(turn.toolCall.arguments) } }],
		};
	}

	private usage(request: CompletionRequest, turn: Turn) {
		const prompt = tokens(JSON.stringify(request.messages) + JSON.stringify(request.tools));
		const completion = tokens(JSON.stringify(turn));
		return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
	}

	private completion(request: CompletionRequest, turn: Turn) {
		const { content, toolCalls } = this.message(turn);
		return {
			id: `chatcmpl-${randomUUID()}`,
			object: 'chat.completion',
			created: Math.floor(Date.now() / 1000),
			model: request.model,
			system_fingerprint: 'fp_simulator',
			choices: [
				{
					index: 0,
					message: { role: 'assistant', content, refusal: null, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
					logprobs: null,
					finish_reason: toolCalls ? 'tool_calls' : 'stop',
				},
			],
			usage: this.usage(request, turn),
		};
	}

	/** `stream: true`: the answer as chunks (role, then content or the tool call, then the finish reason; usage when asked). */
	private stream(res: http.ServerResponse, request: CompletionRequest, turn: Turn): void {
		const id = `chatcmpl-${randomUUID()}`;
		const created = Math.floor(Date.now() / 1000);
		const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
			`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, system_fingerprint: 'fp_simulator', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra })}\n\n`;
		const { content, toolCalls } = this.message(turn);
		res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
		res.write(chunk({ role: 'assistant', content: '', refusal: null }, null));
		if (toolCalls) {
			const [call] = toolCalls;
			res.write(chunk({ tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }, null));
			res.write(chunk({ tool_calls: [{ index: 0, function: { arguments: call.function.arguments } }] }, null));
		} else {
			// Two pieces, as a model streams words.
			const text = content ?? '';
			const half = Math.ceil(text.length / 2);
			for (const piece of [text.slice(0, half), text.slice(half)]) if (piece) res.write(chunk({ content: piece }, null));
		}
		res.write(chunk({}, toolCalls ? 'tool_calls' : 'stop'));
		if (isObject(request.body.stream_options) && request.body.stream_options.include_usage === true) {
			res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [], usage: this.usage(request, turn) })}\n\n`);
		}
		res.end('data: [DONE]\n\n');
	}
}
