/**
 * The importable workflows in templates/, loaded the way a user would fill them in: the placeholders
 * a user replaces (channel, bot and block IDs, the app's URL) are substituted, nothing else changes.
 * Credentials are referenced by fixed IDs in the templates; the e2e suite imports credentials with
 * exactly those IDs (see `TEMPLATE_CREDENTIALS`).
 */
import * as fs from 'fs';
import * as path from 'path';

import { REPO_ROOT } from './n8n';

export const TEMPLATES_DIR = path.join(REPO_ROOT, 'templates');

/**
 * Templates the playground (`npm start`, scripts/start/playground.ts) does not import: their
 * other side is not simulated there yet. Every other file in templates/ must be wired into it.
 */
export const OUTSIDE_PLAYGROUND: readonly string[] = [
	'22-botpress-to-slack.json',
	'23-slack-to-botpress.json',
	'24-landbot-teams-handoff-start.json',
	'25-landbot-to-teams.json',
	'26-teams-to-landbot.json',
	'27-botpress-to-teams.json',
	'28-teams-to-botpress.json',
	'29-teams-subscription-renewal.json',
	'36-own-app-ai-agent-chatwoot.json',
	'37-telegram-ai-agent-chatwoot.json',
];

export const TEMPLATE_FILES = {
	handoffStart: '1-landbot-tiledesk-handoff-start.json',
	landbotToTiledesk: '2-landbot-to-tiledesk.json',
	tiledeskToLandbot: '3-tiledesk-to-landbot.json',
	timeoutReassign: '4-landbot-timeout-reassign.json',
	handback: '5-tiledesk-handback.json',
	ownApp: '6-own-app-tiledesk.json',
} as const;

/** What a user replaces in the templates (their sticky notes say so). */
export const PLACEHOLDERS = {
	landbotChannelId: 'YOUR_LANDBOT_CHANNEL_ID',
	landbotBotId: 'YOUR_LANDBOT_BOT_ID',
	landbotBlockId: 'YOUR_BLOCK_ID_TO_RESUME_AT',
	ownAppUrl: 'https://your-app.example.com/handoff/agent-message',
} as const;

/** Credential IDs and names the templates reference, with their n8n credential types. */
export const TEMPLATE_CREDENTIALS = {
	landbot: { id: 'landbot-credential', name: 'Landbot account', type: 'landbotApi' },
	tiledesk: { id: 'tiledesk-credential', name: 'Tiledesk account', type: 'tiledeskApi' },
	landbotWebhookBlock: { id: 'landbot-webhook-block-secret', name: 'Landbot Webhook block secret', type: 'handoffRequestApi' },
	ownAppToN8n: { id: 'own-app-to-n8n-secret', name: 'Own app → n8n secret', type: 'handoffRequestApi' },
	n8nToOwnApp: { id: 'n8n-to-own-app-secret', name: 'n8n → own app secret', type: 'httpHeaderAuth' },
} as const;

export interface TemplateNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, any>;
	webhookId?: string;
	credentials?: Record<string, { id: string; name: string }>;
}

export interface Template {
	name: string;
	nodes: TemplateNode[];
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

/** Every placeholder still in `value` (anything shaped like YOUR_… or the example app URL). */
export function leftoverPlaceholders(value: unknown): string[] {
	const found = new Set<string>();
	const text = JSON.stringify(value);
	for (const m of text.matchAll(/YOUR_[A-Z0-9_]+/g)) found.add(m[0]);
	if (text.includes(PLACEHOLDERS.ownAppUrl)) found.add(PLACEHOLDERS.ownAppUrl);
	return [...found];
}

function replaceStrings(value: unknown, replace: (s: string) => string): unknown {
	if (typeof value === 'string') return replace(value);
	if (Array.isArray(value)) return value.map((v) => replaceStrings(v, replace));
	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceStrings(v, replace)]));
	}
	return value;
}

/**
 * Reads a template and replaces placeholders (`{placeholder: value}`) in every string of it. Throws
 * when a given placeholder does not occur in the template, or when one is left unfilled, so the
 * suite notices a template that drifted from what this file expects.
 */
export function loadTemplate(file: string, values: Record<string, string> = {}): Template {
	const original = JSON.parse(fs.readFileSync(path.join(TEMPLATES_DIR, file), 'utf8')) as Template;
	const text = JSON.stringify(original);
	for (const placeholder of Object.keys(values)) {
		if (!text.includes(placeholder)) throw new Error(`${file} has no placeholder "${placeholder}"`);
	}
	const filled = replaceStrings(original, (s) =>
		Object.entries(values).reduce((acc, [placeholder, value]) => acc.split(placeholder).join(value), s),
	) as Template;
	const left = leftoverPlaceholders(filled);
	if (left.length > 0) throw new Error(`${file}: placeholders left unfilled: ${left.join(', ')}`);
	return filled;
}

export function nodeByName(template: Template, name: string): TemplateNode {
	const node = template.nodes.find((n) => n.name === name);
	if (!node) throw new Error(`template "${template.name}" has no node "${name}"`);
	return node;
}

/**
 * The production webhook path of a node (what follows `/webhook/`): n8n's Webhook node and this
 * package's Handoff Request Trigger use their `path` parameter (the webhookId when it is empty); the
 * other triggers declare the path `webhook` under the node's webhookId.
 */
export function webhookPath(template: Template, nodeName: string): string {
	const node = nodeByName(template, nodeName);
	if (node.type === 'n8n-nodes-base.webhook' || node.type === 'n8n-nodes-handoff.handoffRequestTrigger') {
		return String(node.parameters.path || node.webhookId);
	}
	if (!node.webhookId) throw new Error(`node "${nodeName}" has no webhookId`);
	return `${node.webhookId}/webhook`;
}
