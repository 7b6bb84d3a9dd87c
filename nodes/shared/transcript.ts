import type { IDataObject } from 'n8n-workflow';
import { ownValue, textOf as text } from './objects';

const ROLE_LABELS: Record<string, string> = { customer: 'Customer', bot: 'Bot', agent: 'Agent', system: 'System' };

/**
 * One transcript entry → the line an agent reads where a platform takes text only, e.g.
 * "Ada (customer): It never arrived". Entries are strings, `{role, name, text, url}` or trigger
 * events (`author.role`, `message.text`).
 */
export function transcriptLine(entry: unknown): string {
	if (typeof entry === 'string') return entry.trim();
	if (!entry || typeof entry !== 'object') return '';
	const data = entry as IDataObject;
	const author = data.author && typeof data.author === 'object' ? (data.author as IDataObject) : {};
	const message = data.message && typeof data.message === 'object' ? (data.message as IDataObject) : {};
	const role = text(data.role ?? author.role).toLowerCase();
	const name = text(data.name ?? author.name).trim();
	const body = text(data.text ?? message.text).trim();
	const url = text(data.url ?? message.url).trim();
	const content = url && !body.includes(url) ? [body, url].filter(Boolean).join('\n') : body;
	if (!content) return '';
	const label = name ? (role ? `${name} (${role})` : name) : (ownValue(ROLE_LABELS, role) ?? role);
	return label ? `${label}: ${content}` : content;
}
