/**
 * Scripted "models" for the OpenAI simulator. Each turn is decided from the request's messages and
 * tools alone, as a model would: no state in the script, so what n8n sends is what counts.
 */
import type { ChatMessage, CompletionRequest, Script, ToolDefinition, Turn } from './simulator';
import { textOf } from './simulator';

export interface HandoffScriptOptions {
	/** The customer asks for a human when their latest message matches; default: human, person, agent, someone real. */
	wantsHuman?: RegExp;
	/** The tool that hands over; default the only tool offered (a request with several must name it). */
	toolName?: string;
	/** The answer to a customer message the bot handles itself. */
	reply?: (customerText: string, request: CompletionRequest) => string;
	/** The answer once the handoff tool has returned. */
	afterHandoff?: string;
}

export const WANTS_HUMAN = /\b(human|person|agent|someone real)\b/i;
export const AFTER_HANDOFF = 'I have passed you to a colleague from our team. They will answer you here.';

/** The latest message the customer wrote (role user). */
export function latestCustomerText(messages: ChatMessage[]): string {
	for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return textOf(messages[i]);
	return '';
}

/** The conversation so far as lines, for a summary a human can read. */
function transcript(messages: ChatMessage[]): string {
	return messages
		.filter((m) => (m.role === 'user' || m.role === 'assistant') && textOf(m) !== '')
		.map((m) => `${m.role === 'user' ? 'Customer' : 'Bot'}: ${textOf(m)}`)
		.join('\n');
}

/**
 * Arguments for the tool from its parameter schema, as a model fills them: a reason for a property
 * named like one, the conversation so far for a summary or note, else the customer's words.
 */
function argumentsFor(tool: ToolDefinition, messages: ChatMessage[]): Record<string, unknown> {
	const properties = (tool.function.parameters?.properties ?? {}) as Record<string, { type?: string }>;
	const args: Record<string, unknown> = {};
	for (const [name, schema] of Object.entries(properties)) {
		let value: string;
		if (/reason|why/i.test(name)) value = 'The customer asked to talk to a human.';
		else if (/summary|note|context|history/i.test(name)) value = transcript(messages);
		else value = latestCustomerText(messages);
		args[name] = schema.type === 'number' ? Number(value) || 0 : value;
	}
	return args;
}

function handoffTool(request: CompletionRequest, toolName?: string): ToolDefinition | undefined {
	if (toolName) return request.tools.find((tool) => tool.function.name === toolName);
	if (request.tools.length > 1) throw new Error(`several tools offered (${request.tools.map((t) => t.function.name).join(', ')}): name the handoff tool`);
	return request.tools[0];
}

/**
 * A support bot that answers the customer itself, calls the handoff tool when the customer asks for
 * a human, and after the tool's result tells the customer a colleague will answer.
 */
export function handoffScript(options: HandoffScriptOptions = {}): Script {
	const wantsHuman = options.wantsHuman ?? WANTS_HUMAN;
	const reply = options.reply ?? ((text: string) => `Bot: you said "${text}".`);
	return (request): Turn => {
		const last = request.messages[request.messages.length - 1];
		if (last?.role === 'tool') return { content: options.afterHandoff ?? AFTER_HANDOFF };
		const text = latestCustomerText(request.messages);
		const tool = handoffTool(request, options.toolName);
		if (tool && wantsHuman.test(text)) return { toolCall: { name: tool.function.name, arguments: argumentsFor(tool, request.messages) } };
		return { content: reply(text, request) };
	};
}
